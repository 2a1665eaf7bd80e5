import AWS
import Foundation
import Pipeline
import Testing
import WebTier

/// A job survives a web-tier restart through its stored input objects alone: each carries its
/// upload position and the submission time as metadata (`StoredImageRecord`), so intake sends one
/// request per image to S3 and no per-job manifest.
@Suite("Job rebuild from stored images", .serialized)
struct JobRebuildTests {
    static func jpeg(_ seed: UInt8) -> Data { Data([0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: seed, count: 200 + Int(seed))) }

    @Test("a restarted web tier rebuilds a job from its input objects: same images in upload order, same submission time, all pending; intake wrote nothing else")
    func rebuildAfterRestart() async throws {
        let harness = try await WebTierHarness()
        defer { Task { await harness.stop() } }
        // More images than uploads in flight (8), and a refused file so that positions have a gap.
        var files = (0..<11).map { (name: "photo-\($0).jpg", bytes: Self.jpeg(UInt8($0))) }
        files.insert((name: "notes.txt", bytes: Self.jpeg(99)), at: 4)
        let response = try await harness.upload(files)
        #expect(response.status == 202, "\(response.text)")
        let accepted = try APIJSON.decode(JobAccepted.self, from: response.body)
        #expect(accepted.images.count == 11)
        #expect(accepted.rejected.map(\.index) == [4])
        let before = try #require(try await harness.service.context.jobStatus(accepted.jobId))

        #expect(try await harness.outputObjects().isEmpty, "no manifest or other per-job object in the output bucket")
        #expect(try await harness.inputObjects().count == 11)

        let restarted = try await harness.restarted()
        defer { Task { await restarted.stop() } }
        let reply = try await TestHTTPClient.get(port: restarted.port, "/api/jobs/\(accepted.jobId)")
        #expect(reply.status == 200, "\(reply.text)")
        let rebuilt = try APIJSON.decode(JobStatus.self, from: reply.body)
        #expect(rebuilt.images == accepted.images, "every image, in upload order, with its position and name")
        #expect(rebuilt.submittedAt == before.submittedAt)
        #expect(rebuilt.results.isEmpty)
        #expect(rebuilt.complete == false)
    }

    @Test("each stored image carries its upload position and the job's submission time as metadata")
    func metadataOnEachObject() async throws {
        let harness = try await WebTierHarness()
        defer { Task { await harness.stop() } }
        let response = try await harness.upload([("a.jpg", Self.jpeg(1)), ("b.txt", Self.jpeg(2)), ("c.jpg", Self.jpeg(3))])
        let accepted = try APIJSON.decode(JobAccepted.self, from: response.body)
        let status = try #require(try await harness.service.context.jobStatus(accepted.jobId))
        for image in accepted.images {
            let key = ObjectNaming.inputKey(jobId: accepted.jobId, imageId: image.imageId, safeFileName: image.fileName)
            let attributes = try await harness.clients.s3.headObject(bucket: harness.resources.inputBucket, key: key)
            #expect(attributes.metadata == StoredImageRecord.metadata(index: image.index, submittedAt: status.submittedAt))
            #expect(try StoredImageRecord.parse(key: key, jobId: accepted.jobId, metadata: attributes.metadata)
                    == StoredImageRecord(image: image, submittedAt: status.submittedAt))
        }
        #expect(accepted.images.map(\.index) == [0, 2])
    }

    @Test("images stored but not queued are reported and deleted again, so no rebuild waits for them")
    func unqueuedImagesAreDeleted() async throws {
        let harness = try await WebTierHarness()
        defer { Task { await harness.stop() } }
        try await harness.clients.sqs.deleteQueue(queueURL: harness.resources.requests.queueURL)
        let response = try await harness.upload([("a.jpg", Self.jpeg(1)), ("b.jpg", Self.jpeg(2))])
        #expect(response.status == 503, "\(response.text)")
        let answer = try APIJSON.decode(JobAccepted.self, from: response.body)
        #expect(answer.images.isEmpty)
        #expect(answer.rejected.map(\.index) == [0, 1])
        #expect(answer.rejected.allSatisfy { $0.reason.contains("stored but could not be queued") }, "\(answer.rejected)")
        #expect(try await harness.inputObjects().isEmpty, "both images deleted after the queue refused them")

        let restarted = try await harness.restarted()
        defer { Task { await restarted.stop() } }
        let reply = try await TestHTTPClient.get(port: restarted.port, "/api/jobs/\(answer.jobId)")
        #expect(reply.status == 404, "a job with nothing queued is unknown after a restart: \(reply.text)")
    }

    @Test("an object under a job's prefix that intake did not write makes the rebuild answer 503, not a guessed job")
    func foreignObjectRefused() async throws {
        let harness = try await WebTierHarness()
        defer { Task { await harness.stop() } }
        let jobId = ObjectNaming.newID()
        let key = ObjectNaming.inputKey(jobId: jobId, imageId: ObjectNaming.newID(), safeFileName: "x.jpg")
        try await harness.clients.s3.putObject(bucket: harness.resources.inputBucket, key: key, body: Self.jpeg(5))
        let reply = try await TestHTTPClient.get(port: harness.port, "/api/jobs/\(jobId)")
        #expect(reply.status == 503, "\(reply.text)")
        let other = try await TestHTTPClient.get(port: harness.port, "/api/jobs/\(ObjectNaming.newID())")
        #expect(other.status == 404)
    }

    struct BadRecord: Sendable, CustomStringConvertible {
        let description: String
        let key: String
        let metadata: [String: String]
        let reason: String
    }

    static let jobId = String(repeating: "a", count: 32)
    static let imageId = String(repeating: "b", count: 32)
    static let good = StoredImageRecord.metadata(index: 3, submittedAt: 1_700_000_000_000)

    static let badRecords: [BadRecord] = [
        BadRecord(description: "another job's key", key: "uploads/\(String(repeating: "c", count: 32))/\(imageId)/x.jpg",
                  metadata: good, reason: "not under"),
        BadRecord(description: "no image id", key: "uploads/\(jobId)/x.jpg", metadata: good, reason: "<imageId>/<fileName>"),
        BadRecord(description: "image id not ours", key: "uploads/\(jobId)/../../x/x.jpg", metadata: good, reason: "<imageId>/<fileName>"),
        BadRecord(description: "empty file name", key: "uploads/\(jobId)/\(imageId)/", metadata: good, reason: "<imageId>/<fileName>"),
        BadRecord(description: "no metadata", key: "uploads/\(jobId)/\(imageId)/x.jpg", metadata: [:], reason: "image-index"),
        BadRecord(description: "negative position", key: "uploads/\(jobId)/\(imageId)/x.jpg",
                  metadata: ["image-index": "-1", "submitted-at": "5"], reason: "image-index"),
        BadRecord(description: "time not a number", key: "uploads/\(jobId)/\(imageId)/x.jpg",
                  metadata: ["image-index": "1", "submitted-at": "yesterday"], reason: "submitted-at"),
    ]

    @Test("a key or metadata intake did not write is refused with what is wrong", arguments: badRecords)
    func badRecordRefused(_ bad: BadRecord) {
        #expect {
            try StoredImageRecord.parse(key: bad.key, jobId: Self.jobId, metadata: bad.metadata)
        } throws: { error in
            guard case let .unreadableImageRecord(key, reason) = error as? JobArchiveError else { return false }
            return key == bad.key && reason.contains(bad.reason)
        }
    }

    @Test("a good key and metadata give the image back, its file name whole")
    func goodRecord() throws {
        let record = try StoredImageRecord.parse(key: "uploads/\(Self.jobId)/\(Self.imageId)/cat photo.jpg",
                                                 jobId: Self.jobId, metadata: Self.good)
        #expect(record == StoredImageRecord(image: AcceptedImage(index: 3, imageId: Self.imageId, fileName: "cat photo.jpg"),
                                            submittedAt: 1_700_000_000_000))
    }
}
