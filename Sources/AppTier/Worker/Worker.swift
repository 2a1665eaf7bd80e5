import Foundation
import Logging
import Pipeline

/// Why a worker's `run()` returned.
public enum WorkerExit: Sendable, Equatable {
    /// Nothing arrived for `maxEmptyPollsBeforeShutdown` consecutive long polls with nothing in
    /// flight: time to stop costing money.
    case idle(emptyPolls: Int)
    /// A stop was requested (SIGTERM/SIGINT); in-flight jobs were finished or released.
    case stopped(reason: String)
    /// The request queue kept failing; exiting lets the supervisor (systemd) restart us.
    case queueUnavailable(reason: String)
}

/// The app-tier worker: long-polls the request queue, and for each job downloads the image,
/// classifies it, stores the result and deletes the job (see `JobProcessor`).
public struct Worker: Sendable {
    public let stats = WorkerStats()
    let requests: any JobQueue
    let processor: JobProcessor
    let options: WorkerOptions
    let shutdown: ShutdownSignal
    let logger: Logger
    /// Consecutive failed receives before giving up (about two minutes with the backoff below).
    let maxConsecutiveReceiveFailures = 20

    public init(
        requests: any JobQueue, responses: any JobQueue, store: any ObjectStore, classifier: any ImageClassifier,
        options: WorkerOptions, shutdown: ShutdownSignal, logger: Logger
    ) {
        self.requests = requests
        self.options = options
        self.shutdown = shutdown
        self.logger = logger
        let batcher = OpportunisticBatcher(classifier: classifier, maxBatch: options.maxInferenceBatch)
        processor = JobProcessor(requests: requests, responses: responses, store: store, batcher: batcher,
                                 options: options, stats: stats, logger: logger)
    }

    public func run() async -> WorkerExit {
        let slots = JobSlots(capacity: options.parallelism)
        // A stop request must also wake a loop that is waiting for a free slot.
        let slotCloser = await shutdown.observe { Task { await slots.close() } }
        defer { Task { [shutdown] in await shutdown.removeObserver(slotCloser) } }
        logger.info("worker started", metadata: [
            "worker": "\(options.workerName)", "parallelism": "\(options.parallelism)",
            "longPollSeconds": "\(options.longPollSeconds)",
            "maxEmptyPolls": "\(options.maxEmptyPollsBeforeShutdown)",
        ])
        return await withDiscardingTaskGroup(returning: WorkerExit.self) { group in
            if options.statsIntervalSeconds > 0 {
                group.addTask { await reportStatsPeriodically() }
            }
            let exit = await receiveLoop(slots: slots) { message in
                group.addTask {
                    await processor.process(message)
                    await slots.release()
                }
            }
            await slots.close()
            if await !drain(slots) {
                logger.warning("drain time over: releasing unfinished jobs to the queue")
            }
            // Cancels the stats reporter, and any job still running (which releases itself).
            group.cancelAll()
            let snapshot = await stats.current()
            logger.info("worker stopping", metadata: [
                "exit": "\(exit)", "classified": "\(snapshot.classified)", "rejected": "\(snapshot.rejected)",
                "transientFailures": "\(snapshot.transientFailures)", "malformed": "\(snapshot.malformed)",
            ])
            return exit
        }
    }

    private func receiveLoop(slots: JobSlots, start: (QueuedMessage) -> Void) async -> WorkerExit {
        var idleRule = EmptyPollCounter(maxEmptyPolls: options.maxEmptyPollsBeforeShutdown)
        var consecutiveFailures = 0
        while true {
            if await shutdown.isRequested { return .stopped(reason: await shutdown.requestReason) }
            guard await slots.waitForFreeSlot() else { return .stopped(reason: await shutdown.requestReason) }
            let wanted = min(await slots.free, options.receiveBatchSize)
            let messages: [QueuedMessage]
            do {
                messages = try await receive(maxMessages: wanted)
                consecutiveFailures = 0
            } catch {
                consecutiveFailures += 1
                logger.warning("receive failed", metadata: ["reason": "\(error)", "attempt": "\(consecutiveFailures)"])
                if consecutiveFailures >= maxConsecutiveReceiveFailures {
                    return .queueUnavailable(reason: "\(error)")
                }
                try? await Task.sleep(for: .seconds(min(1 << min(consecutiveFailures, 3), 8)))
                continue
            }
            if await shutdown.isRequested {
                // Received while stopping: hand them straight back rather than sit on them.
                for message in messages {
                    await processor.release(message, logger: logger, reason: "received while shutting down")
                }
                return .stopped(reason: await shutdown.requestReason)
            }
            if idleRule.record(received: messages.count, jobsInFlight: messages.isEmpty ? await slots.inUse : 0) {
                return .idle(emptyPolls: idleRule.emptyPolls)
            }
            if messages.isEmpty { continue }
            await slots.take(messages.count)
            messages.forEach(start)
        }
    }

    /// One long poll. A stop request does not cut it short: aborting a receive whose response is
    /// already on its way would leave those messages invisible until their timeout. The poll
    /// ends within `longPollSeconds`, and whatever it brings after a stop is released at once.
    private func receive(maxMessages: Int) async throws -> [QueuedMessage] {
        try await requests.receive(maxMessages: maxMessages, waitSeconds: options.longPollSeconds)
    }

    /// Waits for in-flight jobs, at most `drainSeconds`; false if some were still running.
    /// (Polled rather than awaited so the bound holds whatever the jobs are blocked on.)
    private func drain(_ slots: JobSlots) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(options.drainSeconds)
        while await slots.inUse > 0 {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    private func reportStatsPeriodically() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(options.statsIntervalSeconds)) } catch { return }
            let snapshot = await stats.current()
            logger.info("worker counters", metadata: [
                "classified": "\(snapshot.classified)", "rejected": "\(snapshot.rejected)",
                "transientFailures": "\(snapshot.transientFailures)", "malformed": "\(snapshot.malformed)",
                "meanMs": "\(Int(snapshot.meanLatencyMs))", "p95Ms": "\(Int(snapshot.p95LatencyMs))",
            ])
        }
    }
}
