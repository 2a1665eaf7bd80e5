import Foundation
import Pipeline
import Testing
import TestSupport

/// The original course's output format beside our JSON results: with `worker.courseOutput`, the
/// output bucket holds `test_0` with body `(test_0, label)` for an image named `test_0.jpg`.
@Suite("apptier course-compatible output against moto", .serialized)
struct CourseOutputTests {
    @Test("courseOutput on: one object per image named by its stem, holding (stem, label); off: none")
    func courseObjects() async throws {
        let harness = try await WorkerHarness(["worker.courseOutput": "true"])
        let photo = try #require(try Photos.all().first { $0.name.hasSuffix(".jpg") })
        let job = try await harness.submit(photo.bytes, fileName: "test_0.jpg")
        let refused = try await harness.submit(Data("not an image".utf8), fileName: "test_1.jpg")
        let worker = try harness.startWorker("course")
        let results = try await harness.collectResults(expected: 2, timeout: .seconds(60))
        await worker.stop()
        let label = try #require(results.first { $0.imageId == job.imageId }?.label)
        let body = try await harness.resources.store.get(bucket: harness.resources.outputBucket, key: "test_0", maxBytes: 1000)
        #expect(String(decoding: body, as: UTF8.self) == "(test_0, \(label))")
        #expect(try await harness.storedResult(for: job)?.label == label, "the JSON result is still stored beside it")
        let keys = try await harness.resources.store.list(bucket: harness.resources.outputBucket, prefix: "test_")
        #expect(keys == ["test_0"], "a refused image has no course object: \(keys) (\(refused.fileName))")

        let plain = try await WorkerHarness()
        try await plain.submit(photo.bytes, fileName: "test_2.jpg")
        let other = try plain.startWorker("plain")
        _ = try await plain.collectResults(expected: 1, timeout: .seconds(60))
        await other.stop()
        #expect(try await plain.resources.store.list(bucket: plain.resources.outputBucket, prefix: "test_").isEmpty,
                "off by default")
    }
}
