import Foundation
import Logging
import Pipeline
import Synchronization

/// Long-polls the request queue's dead-letter queue and turns each dead job into a failed result
/// for its image, so the user sees "failed, and why" instead of an image pending for ever (and the
/// course-style `POST /` answers at once instead of at its timeout).
///
/// SQS moves a job there after `queues.maxReceiveCount` receives without a delete: every worker
/// that took it crashed, was killed, or ran out of visibility time. The failure is stored where a
/// worker stores results (`results/<jobId>/<imageId>.json`, so a rebuild after a restart shows it
/// too) and delivered through the normal result path (`ResultRouter`), so idempotency by imageId
/// holds: a late real result for the image is a duplicate and is not shown twice.
///
/// The dead message is then deleted rather than kept for an operator to redrive: once the user is
/// told the image failed, a redriven job could only produce a result the page would not show (the
/// first result stands), and a kept message would come back every visibility timeout to be
/// announced again. The failure stored in S3 is the record. If a worker's real result is already
/// stored (it finished, but its response or delete was lost), that result is announced instead.
/// A message that is not a job cannot be attributed to anyone: it stays for an operator, hidden
/// for 12 hours at a time so it is not received on every poll.
public final class DeadLetterPoller: Sendable {
    public let queue: any JobQueue
    public let router: ResultRouter
    public let store: any ObjectStore
    public let outputBucket: String
    /// The redrive policy's receive count, for the reason shown to the user.
    public let maxReceiveCount: Int
    public let model: String
    public let waitSeconds: Int
    /// The pause after an empty poll: dead letters are rare, and a tier of several web tiers
    /// (or a test process with many) should not keep a long poll open on the queue each.
    public let idleInterval: Duration
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let stopping = Atomic<Bool>(false)

    /// The `worker` of a failure made here.
    public static let workerName = "dead-letter-queue"
    /// How long a message that is not a job stays hidden before it is seen (and logged) again.
    static let foreignMessageHiddenSeconds = 43_200

    public init(queue: any JobQueue, router: ResultRouter, store: any ObjectStore, outputBucket: String,
                maxReceiveCount: Int, model: String, waitSeconds: Int = 5, idleInterval: Duration = .seconds(5),
                logger: Logger) {
        self.queue = queue
        self.router = router
        self.store = store
        self.outputBucket = outputBucket
        self.maxReceiveCount = maxReceiveCount
        self.model = model
        self.waitSeconds = min(max(waitSeconds, 0), 20)
        self.idleInterval = idleInterval
        self.logger = logger
    }

    /// The reason given for a dead-lettered image.
    public static func reason(receives: Int) -> String {
        "the app tier failed this image \(receives) times (dead-lettered): each worker that took it stopped before "
            + "finishing (a crash, a timeout, or an image that breaks the worker); it will not be retried"
    }

    public func start() {
        let started = Task { [self] in await poll() }
        task.withLock { $0 = started }
    }

    /// Stops after the long poll in progress, if one is (up to `waitSeconds`).
    public func stop() async {
        stopping.store(true, ordering: .sequentiallyConsistent)
        let running = task.withLock { task in defer { task = nil }; return task }
        running?.cancel()
        await running?.value
    }

    private func poll() async {
        var failures = 0
        while !stopping.load(ordering: .sequentiallyConsistent) {
            do {
                let messages = try await queue.receive(maxMessages: 10, waitSeconds: waitSeconds)
                failures = 0
                for message in messages { await handle(message) }
                if messages.isEmpty { try? await Task.sleep(for: idleInterval) }
            } catch {
                failures += 1
                logger.warning("dead-letter queue receive failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(min(200 * (1 << min(failures, 5)), 5000)))
            }
        }
    }

    /// Announces one dead message's image as failed (or its stored result), then deletes it. On
    /// an error the message stays and comes back after its visibility timeout.
    func handle(_ message: QueuedMessage) async {
        let job: JobMessage
        do {
            job = try MessageCodec.decodeJob(message.body)
        } catch {
            logger.error("the dead-letter queue holds a message that is not a job; left for an operator",
                         metadata: ["messageId": "\(message.messageId)", "error": "\(error)"])
            try? await queue.changeVisibility(of: message, seconds: Self.foreignMessageHiddenSeconds)
            return
        }
        do {
            let key = ObjectNaming.resultKey(jobId: job.jobId, imageId: job.imageId)
            let result: ResultMessage
            if let stored = try await storedResult(key) {
                result = stored
            } else {
                result = .failure(for: job, reason: Self.reason(receives: maxReceiveCount), model: model, worker: Self.workerName)
                try await store.put(bucket: outputBucket, key: key, body: Data(MessageCodec.encode(result).utf8),
                                    contentType: "application/json",
                                    metadata: ["image-id": job.imageId, "job-id": job.jobId, "worker": Self.workerName])
            }
            logger.warning("a job was dead-lettered", metadata: ["job": "\(job.jobId)", "image": "\(job.imageId)",
                                                                 "stored result": "\(result.worker != Self.workerName)"])
            router.route(result)
            if result.worker == Self.workerName { router.metrics.update { $0.deadLettered += 1 } }
            try await queue.delete(message)
        } catch {
            logger.warning("could not announce a dead-lettered job; it will be retried",
                           metadata: ["job": "\(job.jobId)", "image": "\(job.imageId)", "error": "\(error)"])
        }
    }

    private func storedResult(_ key: String) async throws -> ResultMessage? {
        do {
            let body = try await store.get(bucket: outputBucket, key: key, maxBytes: 1 << 20)
            return try? MessageCodec.decodeResult(String(decoding: body, as: UTF8.self))
        } catch ObjectStoreError.notFound(_, _) {
            return nil
        }
    }
}
