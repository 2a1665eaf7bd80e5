import AWS
import Foundation
import Pipeline
import Testing
import TestSupport

/// No confused deputy: a job naming an object outside the input bucket's `uploads/` prefix is
/// refused with an `error` result and deleted; the worker neither reads that object nor writes
/// at its key. A job whose ids cannot name a result is left for the dead-letter queue.
@Suite("apptier accepts only jobs under the input bucket and prefix", .serialized)
struct WorkerInputScopeTests {
    @Test("jobs naming another bucket or a key outside uploads/ get an error result, are deleted, and nothing is read or written there")
    func outOfScopeJobsAreRefused() async throws {
        let harness = try await WorkerHarness()
        let photo = try #require(try Photos.all().first { $0.name.hasSuffix(".jpg") })
        // A real image the worker's role could read: in another bucket, and outside uploads/.
        let secretBucket = MotoNames.unique("secret")
        try await harness.clients.s3.createBucket(secretBucket)
        try await harness.resources.store.put(bucket: secretBucket, key: "uploads/x/y/secret.jpg", body: photo.bytes,
                                              contentType: "image/jpeg", metadata: [:])
        try await harness.resources.store.put(bucket: harness.resources.inputBucket, key: "private/secret.jpg",
                                              body: photo.bytes, contentType: "image/jpeg", metadata: [:])
        let foreign = [
            JobMessage(jobId: ObjectNaming.newID(), imageId: ObjectNaming.newID(), bucket: secretBucket,
                       key: "uploads/x/y/secret.jpg", fileName: "secret.jpg", submittedAt: 0),
            JobMessage(jobId: ObjectNaming.newID(), imageId: ObjectNaming.newID(), bucket: harness.resources.inputBucket,
                       key: "private/secret.jpg", fileName: "secret.jpg", submittedAt: 0),
            // Would overwrite another job's stored result with the audit body.
            JobMessage(jobId: ObjectNaming.newID(), imageId: ObjectNaming.newID(), bucket: harness.resources.outputBucket,
                       key: "results/victim.json", fileName: "secret.jpg", submittedAt: 0),
        ]
        let refused = try await harness.resources.requests.send(foreign.map { MessageCodec.encode($0) })
        #expect(refused.isEmpty)
        let good = try await harness.submit(photo.bytes, fileName: "legit.jpg")
        let worker = try harness.startWorker("deputy")
        let results = try await harness.collectResults(expected: foreign.count + 1, timeout: .seconds(90))
        await worker.stop()

        let byImage = Dictionary(results.map { ($0.imageId, $0) }, uniquingKeysWith: { first, _ in first })
        for job in foreign {
            let result = try #require(byImage[job.imageId], "\(job.bucket)/\(job.key) answered")
            #expect(result.label == nil, "\(job.bucket)/\(job.key) must not be classified")
            #expect(result.error?.contains("refused") == true, "\(result.error ?? "no error")")
            #expect(try await harness.storedResult(for: job)?.error == result.error, "the refusal is stored as the job's result")
        }
        #expect(byImage[good.imageId]?.label != nil, "a job in scope is classified")
        let outputKeys = try await harness.resources.store.list(bucket: harness.resources.outputBucket, prefix: "")
        #expect(!outputKeys.contains("results/victim.json"), "nothing written at a refused job's key")
        #expect(!outputKeys.contains("private/secret.jpg"))
        #expect(worker.output.contains("job outside the input bucket and prefix refused"))
        let depth = try await harness.waitForRequestQueue(timeout: .seconds(10)) { $0.backlog == 0 }
        #expect(depth.backlog == 0, "refused jobs are deleted, not retried")
    }

    @Test("a job whose ids are not ours cannot name a result: it is left for the dead-letter queue")
    func unaddressableJobIsDeadLettered() async throws {
        let harness = try await WorkerHarness(["queues.visibilityTimeoutSeconds": "1", "queues.maxReceiveCount": "2"])
        let job = JobMessage(jobId: "../../results", imageId: ObjectNaming.newID(), bucket: harness.resources.inputBucket,
                             key: "uploads/a/b/c.jpg", fileName: "c.jpg", submittedAt: 0)
        _ = try await harness.resources.requests.send([MessageCodec.encode(job)])
        let worker = try harness.startWorker("strict")
        let dead = try await harness.waitForDeadLetters(timeout: .seconds(60))
        await worker.stop()
        #expect(dead.count == 1)
        #expect(worker.output.contains("jobId"))
        #expect(try await harness.collectResults(expected: 1, timeout: .seconds(2)).isEmpty, "no result is invented")
    }
}
