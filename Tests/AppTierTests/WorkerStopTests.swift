import Foundation
import Pipeline
import Testing
import TestSupport

/// A stop must fit in systemd's `TimeoutStopSec` (scripts/ami/apptier.service), or systemd
/// SIGKILLs the worker mid-release. The worker's bound is: the long poll is cut short at once,
/// then at most `worker.drainSeconds` for in-flight jobs, then their release.
@Suite("apptier stop within systemd's TimeoutStopSec", .serialized)
struct WorkerStopTests {
    /// The `TimeoutStopSec` the AMI's unit gives the worker, read from the unit itself so the
    /// test follows it.
    static func timeoutStopSeconds() throws -> Int {
        let unit = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("scripts/ami/apptier.service"),
                              encoding: .utf8)
        let line = try #require(unit.split(separator: "\n").first { $0.hasPrefix("TimeoutStopSec=") })
        return try #require(Int(line.dropFirst("TimeoutStopSec=".count)))
    }

    /// Waits until the worker has started and announced itself (its first heartbeat), so it is
    /// in its long poll.
    static func waitUntilPolling(_ harness: WorkerHarness, _ worker: ChildProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var heard = false
        while !heard, ContinuousClock.now < deadline {
            for message in try await harness.resources.responses.receive(maxMessages: 10, waitSeconds: 1) {
                if case .heartbeat = try MessageCodec.decodeResponse(message.body) { heard = true }
                try await harness.resources.responses.delete(message)
            }
        }
        try #require(heard, "the worker never started:\n\(worker.output)")
    }

    @Test("SIGTERM cuts a 20 s long poll short: an idle worker exits 0 at once, not when the poll ends")
    func sigtermInterruptsTheLongPoll() async throws {
        let harness = try await WorkerHarness(["queues.longPollSeconds": "20"])
        let worker = try harness.startWorker("polling")
        try await Self.waitUntilPolling(harness, worker)
        worker.signal(SIGTERM)
        // Well under the 20 s poll: before the fix the worker sat out the poll.
        let status = await worker.waitForExit(timeout: .seconds(8))
        if status == nil { await worker.stop() }
        #expect(status == 0, "stopped during the poll:\n\(worker.output)")
        #expect(worker.output.contains("stopped(reason: \"SIGTERM\")"))
    }

    @Test("SIGTERM with a job stuck in the model, a 20 s poll and a 20 s drain: exits 0 within TimeoutStopSec, job released")
    func stopFitsInTimeoutStopSec() async throws {
        let timeoutStop = try Self.timeoutStopSeconds()
        // The defaults a real worker stops with: drainSeconds 20, and the longest poll SQS allows.
        let harness = try await WorkerHarness([
            "queues.longPollSeconds": "20", "worker.drainSeconds": "20", "worker.parallelism": "2",
            "queues.visibilityTimeoutSeconds": "120",
        ])
        #expect(harness.configuration.worker.drainSeconds + 5 <= timeoutStop,
                "the drain bound leaves a margin of 5 s under TimeoutStopSec=\(timeoutStop) for the releases")
        let photo = try #require(try Photos.all().first)
        let job = try await harness.submit(photo.bytes, fileName: "in-the-model.jpg")
        let worker = try harness.startWorker("stuck-in-model", inferenceDelay: .milliseconds(120000))
        _ = try await harness.waitForRequestQueue(timeout: .seconds(30)) { $0.inFlight == 1 }
        // One slot holds the job; the other keeps the worker in a 20 s long poll.
        worker.signal(SIGTERM)
        let status = await worker.waitForExit(timeout: .seconds(Double(timeoutStop)))
        if status == nil { await worker.stop() }
        #expect(status == 0, "exited within TimeoutStopSec=\(timeoutStop):\n\(worker.output)")
        #expect(worker.output.contains("job released to the queue"))
        let depth = try await harness.waitForRequestQueue(timeout: .seconds(10)) { $0.visible == 1 }
        #expect(depth.visible == 1, "the job is back long before its 120 s visibility timeout")
        let successor = try harness.startWorker("successor")
        let results = try await harness.collectResults(expected: 1, timeout: .seconds(60))
        await successor.stop()
        #expect(results.map(\.imageId) == [job.imageId])
    }
}
