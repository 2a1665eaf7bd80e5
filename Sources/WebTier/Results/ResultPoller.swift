import Logging
import Pipeline
import Synchronization

/// A few concurrent long polls on the response queue: each result is routed, then its message is
/// deleted (after handling, so a crash in between means redelivery, which the job store dedups).
/// A message that is not a result is logged and deleted: it would only come back.
public final class ResultPoller: Sendable {
    public let queue: any JobQueue
    public let router: ResultRouter
    public let pollers: Int
    public let waitSeconds: Int
    /// Where worker heartbeats (on the same queue as results) are recorded; nil: they are dropped.
    public let heartbeats: WorkerHeartbeats?
    private let logger: Logger
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let stopping = Atomic<Bool>(false)

    public init(queue: any JobQueue, router: ResultRouter, pollers: Int = 3, waitSeconds: Int = 5,
                heartbeats: WorkerHeartbeats? = nil, logger: Logger) {
        self.queue = queue
        self.heartbeats = heartbeats
        self.router = router
        self.pollers = max(pollers, 1)
        self.waitSeconds = min(max(waitSeconds, 0), 20)
        self.logger = logger
    }

    public func start() {
        let started = (0..<pollers).map { number in
            Task { [self] in await poll(number) }
        }
        tasks.withLock { $0 += started }
    }

    /// Stops polling: each poller finishes the long poll it is in (handling what it received), so
    /// this takes up to `waitSeconds`.
    public func stop() async {
        stopping.store(true, ordering: .sequentiallyConsistent)
        let running = tasks.withLock { tasks in defer { tasks = [] }; return tasks }
        for task in running { await task.value }
    }

    private func poll(_ number: Int) async {
        var failures = 0
        while !stopping.load(ordering: .sequentiallyConsistent) {
            let messages: [QueuedMessage]
            do {
                messages = try await queue.receive(maxMessages: 10, waitSeconds: waitSeconds)
                failures = 0
            } catch {
                failures += 1
                logger.warning("response queue receive failed", metadata: ["poller": "\(number)", "error": "\(error)"])
                // Back off up to 5 s so an unreachable queue is not hammered.
                try? await Task.sleep(for: .milliseconds(min(200 * (1 << min(failures, 5)), 5000)))
                continue
            }
            for message in messages {
                do {
                    switch try MessageCodec.decodeResponse(message.body) {
                    case let .result(result): router.route(result)
                    case let .heartbeat(heartbeat): heartbeats?.record(worker: heartbeat.worker)
                    }
                } catch {
                    logger.warning("dropping a response-queue message that is not a result",
                                   metadata: ["messageId": "\(message.messageId)", "error": "\(error)"])
                }
                do {
                    try await queue.delete(message)
                } catch {
                    logger.warning("could not delete a handled result", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
