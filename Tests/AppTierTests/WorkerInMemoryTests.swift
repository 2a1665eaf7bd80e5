import AppTier
import Foundation
import Logging
import Pipeline
import Testing
import TestSupport

/// The worker's job processing over in-memory seams (queue and store) with the real model: fast
/// checks of the order of its effects, beside the moto tests that prove the real wire.
@Suite("Worker over in-memory queues and store")
struct WorkerInMemoryTests {
    struct Setup {
        let requests = InMemoryJobQueue()
        let responses = InMemoryJobQueue()
        let store = InMemoryObjectStore()
        let configuration: Configuration
        let shutdown = ShutdownSignal()

        init() throws {
            configuration = try ConfigurationLoader().load(environment: [:], overrides: [
                "queues.longPollSeconds": "1", "worker.statsIntervalSeconds": "0",
                "worker.maxEmptyPollsBeforeShutdown": "1000", "model.intraOpThreads": "1",
            ])
        }

        var inputBucket: String { configuration.storage.inputBucket }
        var outputBucket: String { configuration.storage.outputBucket }

        func worker() throws -> Worker {
            Worker(requests: requests, responses: responses, store: store, classifier: try WorkerHarness.visionClassifier(),
                   options: WorkerOptions(configuration: configuration, workerName: "in-memory"),
                   shutdown: shutdown, logger: Logger(label: "in-memory-worker"))
        }

        /// Stores `bytes` as an uploaded image and queues its job, as intake does.
        func submit(_ bytes: Data, fileName: String) async throws -> JobMessage {
            let jobId = ObjectNaming.newID()
            let imageId = ObjectNaming.newID()
            let key = ObjectNaming.inputKey(jobId: jobId, imageId: imageId, safeFileName: fileName)
            try await store.put(bucket: inputBucket, key: key, body: bytes, contentType: "image/jpeg", metadata: [:])
            let job = JobMessage(jobId: jobId, imageId: imageId, bucket: inputBucket, key: key, fileName: fileName,
                                 submittedAt: 0)
            #expect(try await requests.send([MessageCodec.encode(job)]).isEmpty)
            return job
        }

        /// Runs a worker until `count` results arrived, then stops it; returns the results.
        func runWorker(until count: Int) async throws -> [ResultMessage] {
            let worker = try worker()
            let running = Task { await worker.run() }
            let collected = try await results(count)
            await shutdown.request(reason: "test over")
            _ = await running.value
            return collected
        }

        /// Results from the response queue until `count` arrived (heartbeats skipped).
        func results(_ count: Int) async throws -> [ResultMessage] {
            var results: [ResultMessage] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while results.count < count, ContinuousClock.now < deadline {
                for message in try await responses.receive(maxMessages: 10, waitSeconds: 1) {
                    try await responses.delete(message)
                    if case let .result(result) = try MessageCodec.decodeResponse(message.body) { results.append(result) }
                }
            }
            return results
        }
    }

    @Test("a job is classified, its result stored and announced, and only then its message deleted")
    func jobIsClassifiedStoredAnnouncedAndDeleted() async throws {
        let setup = try Setup()
        let photo = try #require(try TestPhotos.all().first)
        let job = try await setup.submit(photo.bytes, fileName: photo.name)
        let results = try await setup.runWorker(until: 1)

        let result = try #require(results.first)
        #expect(result.imageId == job.imageId && result.jobId == job.jobId)
        #expect(result.error == nil && result.label != nil, "\(result)")
        let stored = try await setup.store.get(bucket: setup.outputBucket,
                                               key: ObjectNaming.resultKey(jobId: job.jobId, imageId: job.imageId),
                                               maxBytes: 1 << 20)
        #expect(try MessageCodec.decodeResult(String(decoding: stored, as: UTF8.self)).imageId == job.imageId)
        #expect(setup.requests.bodies.isEmpty, "the job's message is deleted once its result is out")
    }

    @Test("a job whose image is missing ends with an error result, not a retry")
    func missingImageGivesAnErrorResult() async throws {
        let setup = try Setup()
        let job = try await setup.submit(Data([0xFF, 0xD8, 0xFF]), fileName: "gone.jpg")
        try await setup.store.delete(bucket: setup.inputBucket, key: job.key)
        let results = try await setup.runWorker(until: 1)

        let result = try #require(results.first)
        #expect(result.imageId == job.imageId)
        #expect(result.error != nil && result.label == nil, "\(result)")
        #expect(setup.requests.bodies.isEmpty)
    }
}
