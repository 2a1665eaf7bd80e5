import AWS
import AWSBackends
import Foundation
import Testing
import TestSupport
@testable import Pipeline

/// The seams' AWS implementations against a real moto server.
@Suite("SQS job queue and S3 object store against moto")
struct AWSBackendsTests {
    let sqs: SQSClient
    let s3: S3Client

    init() async throws {
        let configuration = try await MotoServer.shared().configuration()
        sqs = SQSClient(configuration: configuration)
        s3 = S3Client(configuration: configuration)
    }

    func newQueue(visibility: Int = 30) async throws -> SQSJobQueue {
        let url = try await sqs.createQueue(named: MotoNames.unique("pipe"),
                                            attributes: SQSQueueAttributes(visibilityTimeout: visibility))
        return SQSJobQueue(client: sqs, queueURL: url)
    }

    @Test func sendReceiveDeleteRoundTripCountsReceives() async throws {
        let queue = try await newQueue(visibility: 1)
        #expect(try await queue.send(["one"]).isEmpty)
        let first = try await queue.receive(maxMessages: 10, waitSeconds: 2)
        #expect(first.map(\.body) == ["one"])
        #expect(first.first?.receiveCount == 1)
        // Not deleted: it comes back after the visibility timeout with its receive count raised.
        try await Task.sleep(for: .milliseconds(1500))
        let second = try await queue.receive(maxMessages: 10, waitSeconds: 5)
        #expect(second.first?.receiveCount == 2)
        try await queue.delete(try #require(second.first))
        #expect(try await queue.receive(maxMessages: 10, waitSeconds: 1).isEmpty)
    }

    @Test func manyBodiesGoInBatchesOfTenAndAllArrive() async throws {
        let queue = try await newQueue()
        let bodies = (0..<25).map { "job-\($0)" }
        #expect(try await queue.send(bodies).isEmpty)
        var seen: Set<String> = []
        for _ in 0..<10 where seen.count < bodies.count {
            for message in try await queue.receive(maxMessages: 10, waitSeconds: 1) {
                seen.insert(message.body)
                try await queue.delete(message)
            }
        }
        #expect(seen == Set(bodies))
    }

    @Test("a batch SQS refuses as a whole fails only its own entries: the other batches arrive, each message once")
    func refusedBatchFailsOnlyItsEntries() async throws {
        let queue = try await newQueue()
        // Ten 110 KB bodies make the second batch larger than a SendMessageBatch may be
        // (1 MiB in all: BatchRequestTooLong); the batches before and after it are small.
        let refused = 10..<20
        let bodies = (0..<25).map { index in
            refused.contains(index) ? "big-\(index)-" + String(repeating: "x", count: 110_000) : "small-\(index)"
        }
        let failures = try await queue.send(bodies)
        #expect(failures.map(\.index) == Array(refused))
        #expect(failures.allSatisfy { $0.code == "BatchNotSent" && $0.message.contains("BatchRequestTooLong") },
                "\(failures.first.map { "\($0.code): \($0.message.prefix(300))" } ?? "")")
        var received: [String] = []
        for _ in 0..<10 where received.count < 15 {
            for message in try await queue.receive(maxMessages: 10, waitSeconds: 1) {
                received.append(String(message.body.prefix(12)))
                try await queue.delete(message)
            }
        }
        let expected = bodies.indices.filter { !refused.contains($0) }.map { String(bodies[$0].prefix(12)) }
        #expect(received.sorted() == expected.sorted(), "every message of the good batches, none twice, none of the refused one")
        #expect(try await queue.depth().backlog == 0)
    }

    @Test func depthCountsVisibleAndInFlight() async throws {
        let queue = try await newQueue()
        _ = try await queue.send(["a", "b", "c"])
        _ = try await queue.receive(maxMessages: 1, waitSeconds: 1)
        let depth = try await queue.depth()
        #expect(depth == QueueDepth(visible: 2, inFlight: 1))
        #expect(depth.backlog == 3)
    }

    @Test func releasingAMessageMakesItVisibleAtOnce() async throws {
        let queue = try await newQueue(visibility: 60)
        _ = try await queue.send(["x"])
        let message = try #require(try await queue.receive(maxMessages: 1, waitSeconds: 1).first)
        try await queue.changeVisibility(of: message, seconds: 0)
        let again = try await queue.receive(maxMessages: 1, waitSeconds: 2)
        #expect(again.map(\.body) == ["x"])
    }

    @Test func objectsRoundTripAndMissingOrOversizeObjectsAreTyped() async throws {
        let bucket = MotoNames.unique("pipe")
        try await s3.createBucket(bucket)
        let store = S3ObjectStore(client: s3)
        let body = Data((0..<1000).map { UInt8($0 % 251) })
        try await store.put(bucket: bucket, key: "a/b.bin", body: body, contentType: "application/octet-stream",
                            metadata: ["image-id": "i"])
        #expect(try await store.get(bucket: bucket, key: "a/b.bin", maxBytes: 1000) == body)
        await #expect(throws: ObjectStoreError.tooLarge(bucket: bucket, key: "a/b.bin", limit: 999)) {
            try await store.get(bucket: bucket, key: "a/b.bin", maxBytes: 999)
        }
        await #expect(throws: ObjectStoreError.notFound(bucket: bucket, key: "nope")) {
            try await store.get(bucket: bucket, key: "nope", maxBytes: 10)
        }
        try await store.put(bucket: bucket, key: "a/empty", body: Data(), contentType: "text/plain", metadata: [:])
        #expect(try await store.get(bucket: bucket, key: "a/empty", maxBytes: 10).isEmpty)
        #expect(try await store.list(bucket: bucket, prefix: "a/").sorted() == ["a/b.bin", "a/empty"])
    }
}
