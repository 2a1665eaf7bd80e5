import AWS
import Foundation
import Pipeline
import Testing
import WebTier

/// How accepted files reach S3: byte for byte, with the CRC32 S3 checks kept beside them, whether
/// the intake held them in memory or spooled them (`web.intakeMemoryBytes`), and with the memory
/// budget given back once the request is answered.
@Suite("Intake storage", .serialized)
struct IntakeStorageTests {
    /// JPEG magic bytes, then a pattern: sizes below and above the 64 KiB in-memory threshold.
    static func files() -> [(name: String, bytes: Data)] {
        [10_000, 70_000, 300_000, 500_000].enumerated().map { index, size in
            var state = UInt32(index + 1) &* 2_654_435_761
            let body = (0..<(size - 4)).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return UInt8(truncatingIfNeeded: state >> 24)
            }
            return ("photo-\(index).jpg", Data([0xFF, 0xD8, 0xFF, 0xE0] + body))
        }
    }

    @Test("accepted files are stored intact with their CRC32 and queued once each; the memory budget is back to zero after the request",
          arguments: [nil, "0", "400000"])
    func storedIntactWithChecksum(intakeMemoryBytes: String?) async throws {
        let harness = try await WebTierHarness(intakeMemoryBytes.map { ["web.intakeMemoryBytes": $0] } ?? [:])
        defer { Task { await harness.stop() } }
        let budget = harness.service.context.memoryBudget
        #expect(budget.capacity == harness.configuration.web.intakeMemoryBytes)

        let files = Self.files()
        let response = try await harness.upload(files)
        #expect(response.status == 202, "\(response.text)")
        let accepted = try APIJSON.decode(JobAccepted.self, from: response.body)
        #expect(accepted.images.map(\.index) == Array(files.indices))
        #expect(accepted.rejected.isEmpty)
        #expect(budget.bytesInUse == 0, "every part released once the request is answered")

        for image in accepted.images {
            let original = files[image.index].bytes
            var get = try S3RequestBuilder.getObject(bucket: harness.resources.inputBucket, key: ObjectNaming.inputKey(
                jobId: accepted.jobId, imageId: image.imageId, safeFileName: image.fileName))
            get.headers["x-amz-checksum-mode"] = "ENABLED"
            let stored = try await harness.clients.s3.core.send(get)
            #expect(stored.body == original, "\(image.fileName) stored byte for byte")
            #expect(stored.headers["x-amz-checksum-crc32"] == S3PayloadChecksum.crc32(original).base64Value,
                    "\(image.fileName) stored with the CRC32 of what the client sent")
            #expect(stored.headers["Content-Type"] == "image/jpeg")
        }
        #expect(try await harness.requestQueueCount() == files.count)
        let metrics = try await TestHTTPClient.get(port: harness.port, "/metrics").text
        #expect(metrics.contains("webtier_images_accepted_total \(files.count)"), "\(metrics)")
    }

    @Test("a negative web.intakeMemoryBytes is refused when the configuration is loaded, naming the key")
    func negativeBudgetRefused() throws {
        #expect {
            _ = try ConfigurationLoader().load(environment: [:], overrides: ["web.intakeMemoryBytes": "-1"])
        } throws: { error in
            "\(error)".contains("web.intakeMemoryBytes")
        }
    }
}
