import Foundation
import Pipeline
import Synchronization

/// A `JobQueue` in memory with SQS's delivery rules that the code above the seam relies on: a
/// received message is invisible for `visibilityTimeout` and comes back after it unless deleted,
/// every receive counts, and a stale receipt handle cannot delete. For fast tests; the moto tests
/// prove `SQSJobQueue` on the wire.
public final class InMemoryJobQueue: JobQueue {
    struct Entry {
        var messageId: String
        var body: String
        var receiveCount = 0
        var receiptHandle: String?
        var invisibleUntil: ContinuousClock.Instant?
    }

    public let visibilityTimeout: Duration
    private let entries = Mutex<[Entry]>([])

    public init(visibilityTimeout: Duration = .seconds(30)) {
        self.visibilityTimeout = visibilityTimeout
    }

    /// Bodies of every message not yet deleted, in send order.
    public var bodies: [String] { entries.withLock { $0.map(\.body) } }

    public func receive(maxMessages: Int, waitSeconds: Int) async throws -> [QueuedMessage] {
        let deadline = ContinuousClock.now + .seconds(waitSeconds)
        while true {
            let received = takeVisible(maxMessages)
            if !received.isEmpty || ContinuousClock.now >= deadline { return received }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    private func takeVisible(_ maxMessages: Int) -> [QueuedMessage] {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            var received: [QueuedMessage] = []
            for index in entries.indices where received.count < maxMessages {
                if let until = entries[index].invisibleUntil, until > now { continue }
                entries[index].receiveCount += 1
                entries[index].receiptHandle = UUID().uuidString
                entries[index].invisibleUntil = now + visibilityTimeout
                received.append(QueuedMessage(messageId: entries[index].messageId,
                                              receiptHandle: entries[index].receiptHandle!,
                                              body: entries[index].body, receiveCount: entries[index].receiveCount))
            }
            return received
        }
    }

    public func delete(_ message: QueuedMessage) async throws {
        entries.withLock { $0.removeAll { $0.receiptHandle == message.receiptHandle } }
    }

    public func changeVisibility(of message: QueuedMessage, seconds: Int) async throws {
        let until = ContinuousClock.now + .seconds(seconds)
        entries.withLock { entries in
            for index in entries.indices where entries[index].receiptHandle == message.receiptHandle {
                entries[index].invisibleUntil = until
            }
        }
    }

    public func send(_ bodies: [String]) async throws -> [QueueSendFailure] {
        entries.withLock { entries in
            entries.append(contentsOf: bodies.map { Entry(messageId: UUID().uuidString, body: $0) })
        }
        return []
    }

    public func depth() async throws -> QueueDepth {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            let inFlight = entries.filter { ($0.invisibleUntil.map { $0 > now }) ?? false }.count
            return QueueDepth(visible: entries.count - inFlight, inFlight: inFlight)
        }
    }
}
