import AppTier
import AWS
import Foundation
import Logging
import Pipeline
import Testing
import TestSupport

/// A decode or model run that never returns: the job is abandoned at `worker.jobDeadlineSeconds`,
/// released rather than heartbeated for ever, and dead-lettered after `queues.maxReceiveCount`
/// receives; a worker whose every slot is stuck exits for a restart. In-process workers on moto
/// with the real model, whose runs hang in `HangingClassifier`.
@Suite("apptier job deadline against moto", .serialized)
struct JobDeadlineTests {
    /// A worker of `harness`'s configuration in this process, over `classifier`.
    static func worker(_ harness: WorkerHarness, classifier: any ImageClassifier, shutdown: ShutdownSignal) -> Worker {
        Worker(requests: harness.resources.requests, responses: harness.resources.responses,
               store: harness.resources.store, classifier: classifier,
               options: WorkerOptions(configuration: harness.configuration, workerName: "in-process"),
               shutdown: shutdown, logger: Logger(label: "deadline-test"))
    }

    @Test("a hung job is abandoned at its deadline, released (not heartbeated), and dead-lettered after maxReceiveCount")
    func hungJobEndsInTheDeadLetterQueue() async throws {
        // Visibility 2 s: heartbeats every second would keep the job invisible for ever.
        let harness = try await WorkerHarness([
            "queues.visibilityTimeoutSeconds": "2", "queues.maxReceiveCount": "2",
            "worker.jobDeadlineSeconds": "3", "worker.parallelism": "4",
        ])
        let photo = try #require(try Photos.all().first)
        let job = try await harness.submit(photo.bytes, fileName: "hangs.jpg")
        let hanging = HangingClassifier(wrapping: try WorkerHarness.visionClassifier())
        defer { hanging.release() }
        let shutdown = ShutdownSignal()
        let worker = Self.worker(harness, classifier: hanging, shutdown: shutdown)
        let running = Task { await worker.run() }

        let dead = try await harness.waitForDeadLetters(timeout: .seconds(90))
        let stats = await worker.stats.current()
        await shutdown.request(reason: "test over")
        let exit = await running.value

        #expect(dead.count == 1, "the hung job reached the dead-letter queue")
        #expect(try dead.first.map { try MessageCodec.decodeJob($0.body).imageId } == job.imageId)
        #expect(stats.abandoned >= 2, "each receive was abandoned at the deadline: \(stats)")
        #expect(stats.stuck >= 1 && stats.stuck < 4, "stuck work holds its slots, the worker lives on: \(stats)")
        #expect(exit == .stopped(reason: "test over"))
        #expect(hanging.entered >= 1, "the model run really hung")
        #expect(try await harness.collectResults(expected: 1, timeout: .seconds(2)).isEmpty, "no result is invented")
    }

    @Test("when every slot is stuck the worker exits (.stuck) so its supervisor restarts it; the jobs are back on the queue")
    func allSlotsStuckExits() async throws {
        let harness = try await WorkerHarness([
            "queues.visibilityTimeoutSeconds": "60", "worker.jobDeadlineSeconds": "2", "worker.parallelism": "2",
        ])
        let photo = try #require(try Photos.all().first)
        for index in 0..<2 { try await harness.submit(photo.bytes, fileName: "stuck-\(index).jpg") }
        let hanging = HangingClassifier(wrapping: try WorkerHarness.visionClassifier())
        defer { hanging.release() }
        let shutdown = ShutdownSignal()
        let worker = Self.worker(harness, classifier: hanging, shutdown: shutdown)
        let running = Task { await worker.run() }
        // Bounded wait for the exit; a worker that never gives up is stopped by the test instead.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(90))
            await shutdown.request(reason: "watchdog: the worker never gave up")
        }
        let exit = await running.value
        watchdog.cancel()

        #expect(exit == .stuck(jobs: 2))
        // Released at the deadline (visibility 0), so visible long before their 60 s timeout.
        let depth = try await harness.waitForRequestQueue(timeout: .seconds(10)) { $0.visible == 2 }
        #expect(depth.visible == 2, "both jobs are back for another worker: \(depth)")
        #expect(await worker.stats.current().abandoned == 2)
    }
}
