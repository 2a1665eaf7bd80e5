import AWS
import AWSBackends
import Foundation
import Pipeline
import Testing
import TestSupport

/// Least privilege: a worker creates no queue or bucket; it checks they exist, says which are
/// missing, and exits. It announces itself with heartbeats on the response queue.
@Suite("apptier start-up resources and heartbeats against moto", .serialized)
struct WorkerResourcesTests {
    @Test("missing queues and buckets: the worker names each, exits 2, and creates none of them")
    func missingResourcesAreNamedNotCreated() async throws {
        let harness = try await WorkerHarness()
        let prefix = MotoNames.unique("absent")
        let worker = try harness.startWorker("unprovisioned", extra: [
            "queues.requestQueue": "\(prefix)-req", "storage.outputBucket": "\(prefix)-out",
        ])
        let status = await worker.waitForExit(timeout: .seconds(30))
        #expect(status == 2, "\(worker.output)")
        #expect(worker.output.contains("SQS queue '\(prefix)-req' (queues.requestQueue)"), "\(worker.output)")
        #expect(worker.output.contains("S3 bucket '\(prefix)-out' (storage.outputBucket)"), "\(worker.output)")
        #expect(!worker.output.contains(harness.resources.inputBucket + "' ("), "an existing bucket is not reported")
        await #expect(throws: SQSError.self) { _ = try await harness.clients.sqs.queueURL(named: "\(prefix)-req") }
        await #expect(throws: S3Error.self) { try await harness.clients.s3.headBucket("\(prefix)-out") }
    }

    @Test("a worker announces itself on the response queue at once, then every heartbeatSeconds")
    func heartbeatsOnTheResponseQueue() async throws {
        let harness = try await WorkerHarness(["worker.heartbeatSeconds": "1", "scaling.heartbeatGraceSeconds": "3"])
        let worker = try harness.startWorker("beating")
        var heartbeats: [WorkerHeartbeat] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while heartbeats.count < 2, ContinuousClock.now < deadline {
            for message in try await harness.resources.responses.receive(maxMessages: 10, waitSeconds: 1) {
                if case let .heartbeat(heartbeat) = try MessageCodec.decodeResponse(message.body) { heartbeats.append(heartbeat) }
                try await harness.resources.responses.delete(message)
            }
        }
        await worker.stop()
        #expect(heartbeats.count >= 2, "\(worker.output)")
        #expect(heartbeats.allSatisfy { $0.worker == "local-\(worker.pid)" && $0.kind == "heartbeat" && $0.v == 1 })
    }
}
