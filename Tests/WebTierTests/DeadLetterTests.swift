import AWS
import AWSBackends
import Foundation
import Pipeline
import Synchronization
import Testing
import WebTier

/// A job that no worker finishes reaches the request queue's dead-letter queue (moto implements
/// SQS's redrive) and the web tier reports its image as failed with the reason: in the job's
/// status, to the course-style `POST /`, and in S3 for a rebuild; a late real result is a duplicate.
@Suite("Dead-lettered jobs", .serialized)
struct DeadLetterTests {
    static let maxReceiveCount = 2
    static let settings = ["queues.maxReceiveCount": "\(maxReceiveCount)", "web.courseEndpointTimeoutSeconds": "40"]

    static func jpeg(_ seed: UInt8) -> Data { Data([0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: seed, count: 500)) }

    /// Plays crashing workers: receives the request queue's jobs and hands them straight back
    /// (visibility 0) without deleting them, until `done` holds; moto moves each to the
    /// dead-letter queue on the receive after its maxReceiveCount-th.
    static func failEveryJob(_ harness: WebTierHarness, until done: @Sendable () async throws -> Bool) async throws -> Int {
        var receives = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if try await done() { return receives }
            for message in try await harness.resources.requests.receive(maxMessages: 10, waitSeconds: 1) {
                receives += 1
                try await harness.resources.requests.changeVisibility(of: message, seconds: 0)
            }
        }
        return receives
    }

    static func status(_ harness: WebTierHarness, _ jobId: String) async throws -> JobStatus? {
        let reply = try await TestHTTPClient.get(port: harness.port, "/api/jobs/\(jobId)")
        return reply.status == 200 ? try APIJSON.decode(JobStatus.self, from: reply.body) : nil
    }

    @Test("a job received maxReceiveCount times without a delete is dead-lettered; GET /api/jobs shows the image failed with the reason, once, even after a late real result")
    func deadLetteredImageShownFailed() async throws {
        let harness = try await WebTierHarness(Self.settings)
        defer { Task { await harness.stop() } }
        let response = try await harness.upload([("cat.jpg", Self.jpeg(1))])
        #expect(response.status == 202, "\(response.text)")
        let accepted = try APIJSON.decode(JobAccepted.self, from: response.body)
        let image = try #require(accepted.images.first)

        let receives = try await Self.failEveryJob(harness) {
            try await Self.status(harness, accepted.jobId)?.results.isEmpty == false
        }
        #expect(receives == Self.maxReceiveCount, "moto redrove it after \(Self.maxReceiveCount) receives")
        let status = try #require(try await Self.status(harness, accepted.jobId))
        #expect(status.complete)
        #expect(status.counts.failed == 1)
        let result = try #require(status.results.first)
        #expect(result.imageId == image.imageId && result.fileName == "cat.jpg")
        #expect(result.label == nil)
        #expect(result.error == DeadLetterPoller.reason(receives: Self.maxReceiveCount), "\(result.error ?? "no error")")
        #expect(result.error?.contains("dead-lettered") == true)
        #expect(try await TestHTTPClient.get(port: harness.port, "/metrics").text.contains("webtier_dead_lettered_total 1\n"))

        // Stored where a rebuild finds it, and the dead message is gone from the dead-letter queue.
        let stored = try await harness.clients.s3.getObject(bucket: harness.resources.outputBucket,
                                                            key: ObjectNaming.resultKey(jobId: accepted.jobId, imageId: image.imageId))
        #expect(try MessageCodec.decodeResult(String(decoding: stored.body, as: UTF8.self)).error == result.error)
        let deadLetters = SQSJobQueue(client: harness.clients.sqs, queueURL: harness.resources.deadLetterQueueURL)
        try await Self.waitUntil { try await deadLetters.depth().backlog == 0 }
        #expect(try await deadLetters.depth().backlog == 0, "announced dead letters are deleted")

        // A worker that finished after all: its result arrives late and is not shown a second time.
        let late = ResultMessage(jobId: accepted.jobId, imageId: image.imageId, fileName: "cat.jpg", label: "tabby",
                                 top5: [Prediction(label: "tabby", score: 0.9)], model: "m", worker: "late", inferenceMs: 5)
        #expect(try await harness.resources.responses.send([MessageCodec.encode(late)]).isEmpty)
        try await Self.waitUntil { harness.service.context.metrics.snapshot.duplicateResults == 1 }
        #expect(harness.service.context.metrics.snapshot.duplicateResults == 1)
        let after = try #require(try await Self.status(harness, accepted.jobId))
        #expect(after.results.count == 1 && after.results.first?.error == result.error, "the first result stands")

        // After a restart the job is rebuilt from S3 with its failure.
        let restarted = try await harness.restarted()
        defer { Task { await restarted.stop() } }
        let reply = try await TestHTTPClient.get(port: restarted.port, "/api/jobs/\(accepted.jobId)")
        let rebuilt = try APIJSON.decode(JobStatus.self, from: reply.body)
        #expect(rebuilt.results.map(\.imageId) == [image.imageId])
        #expect(rebuilt.counts.failed == 1 || rebuilt.results.first?.label == "tabby",
                "rebuilt with the failure (or the late result, had a worker stored one)")
    }

    @Test("POST / answers an error line for a dead-lettered image instead of waiting for its timeout")
    func courseEndpointAnswersFailure() async throws {
        let harness = try await WebTierHarness(Self.settings)
        defer { Task { await harness.stop() } }
        let port = harness.port
        let answered = Flag()
        let course = Task {
            defer { answered.set() }
            var form = MultipartBody()
            form.addFile(field: "myfile", fileName: "test_7.jpg", bytes: Self.jpeg(7))
            return try await TestHTTPClient.upload(port: port, path: "/", form)
        }
        _ = try await Self.failEveryJob(harness) { answered.isSet }
        let reply = try await course.value
        #expect(reply.status == 422, "\(reply.status) \(reply.text)")
        #expect(reply.text.contains("dead-lettered"), "\(reply.text)")
    }

    static func waitUntil(_ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

final class Flag: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
