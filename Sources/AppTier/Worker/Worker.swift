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
    /// Every slot holds a job abandoned at its deadline whose work never returned (a decode or
    /// model run stuck in C, which cannot be cancelled in-thread): the worker can take nothing
    /// more, so it exits non-zero and its supervisor (systemd, the local fleet's scaler) starts a
    /// fresh one. The jobs' messages were released already.
    case stuck(jobs: Int)
}

/// The app-tier worker: long-polls the request queue, and for each job downloads the image,
/// classifies it, stores the result and deletes the job (see `JobProcessor`).
public struct Worker: Sendable {
    public let stats = WorkerStats()
    let requests: any JobQueue
    let responses: any JobQueue
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
        self.responses = responses
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
            if options.heartbeatSeconds > 0 {
                group.addTask { await sendHeartbeats() }
            }
            let exit = await receiveLoop(slots: slots) { message in
                group.addTask {
                    switch await processor.process(message) {
                    case .finished:
                        await slots.release()
                    case let .abandoned(work):
                        await holdSlot(slots, until: work)
                    }
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
                "abandoned": "\(snapshot.abandoned)",
            ])
            return exit
        }
    }

    private func receiveLoop(slots: JobSlots, start: (QueuedMessage) -> Void) async -> WorkerExit {
        var idleRule = EmptyPollCounter(maxEmptyPolls: options.maxEmptyPollsBeforeShutdown)
        var consecutiveFailures = 0
        while true {
            if await shutdown.isRequested { return .stopped(reason: await shutdown.requestReason) }
            guard await slots.waitForFreeSlot() else {
                if await slots.allStuck { return .stuck(jobs: await slots.stuck) }
                return .stopped(reason: await shutdown.requestReason)
            }
            let wanted = min(await slots.free, options.receiveBatchSize)
            let messages: [QueuedMessage]
            do {
                messages = try await receive(maxMessages: wanted)
                consecutiveFailures = 0
            } catch {
                // A stop cuts the long poll short; that is no failure.
                if await shutdown.isRequested { return .stopped(reason: await shutdown.requestReason) }
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

    /// One long poll, cut short by a stop request: a poll of up to 20 s on top of the drain would
    /// not fit in systemd's `TimeoutStopSec=30` (scripts/ami/apptier.service). The cost is
    /// small: messages SQS was already sending back when the poll was aborted stay invisible
    /// until their visibility timeout and are then delivered again (one receive more towards the
    /// dead-letter queue), never lost. Messages a poll brings after a stop are released at once.
    private func receive(maxMessages: Int) async throws -> [QueuedMessage] {
        let poll = Task { [requests, options] in
            try await requests.receive(maxMessages: maxMessages, waitSeconds: options.longPollSeconds)
        }
        let observer = await shutdown.observe { poll.cancel() }
        defer { Task { [shutdown] in await shutdown.removeObserver(observer) } }
        return try await poll.value
    }

    /// Keeps an abandoned job's slot taken until its work returns; closes the slots when every
    /// one is stuck, which ends the receive loop with `.stuck`.
    private func holdSlot(_ slots: JobSlots, until work: Task<ResultMessage, any Error>) async {
        await slots.abandon()
        await stats.recordStuck(await slots.stuck)
        // Unstructured: the stuck work may never return, and the task group must not wait for it.
        Task { [stats] in
            _ = await work.result
            await slots.unstick()
            await stats.recordStuck(await slots.stuck)
        }
        if await slots.allStuck {
            let stuck = await slots.stuck
            logger.critical("every job slot is held by work stuck past the job deadline; exiting for a restart",
                            metadata: ["stuck": "\(stuck)"])
            await slots.close()
        }
    }

    /// Tells the web tier's controller this worker is alive: at once (so a new instance shows
    /// itself as soon as its model is loaded), then every `heartbeatSeconds`. A failed send is
    /// logged and tried again next time; the controller's grace covers several.
    private func sendHeartbeats() async {
        while !Task.isCancelled {
            let heartbeat = WorkerHeartbeat(worker: options.workerName, sentAt: Int64(Date().timeIntervalSince1970 * 1000))
            do {
                let refused = try await responses.send([MessageCodec.encode(heartbeat)])
                if let failure = refused.first {
                    logger.warning("worker heartbeat refused", metadata: ["reason": "\(failure.code) \(failure.message)"])
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("worker heartbeat not sent", metadata: ["reason": "\(error)"])
            }
            do { try await Task.sleep(for: .seconds(options.heartbeatSeconds)) } catch { return }
        }
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
