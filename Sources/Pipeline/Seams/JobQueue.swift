import Foundation

/// A message taken from a queue, with what is needed to acknowledge or release it.
public struct QueuedMessage: Sendable, Equatable {
    public var messageId: String
    /// Proof of this particular receive; acknowledging needs it, and it changes on every delivery.
    public var receiptHandle: String
    public var body: String
    /// How many times the queue has handed this message out (1 on first delivery).
    public var receiveCount: Int

    public init(messageId: String, receiptHandle: String, body: String, receiveCount: Int) {
        self.messageId = messageId
        self.receiptHandle = receiptHandle
        self.body = body
        self.receiveCount = receiveCount
    }
}

/// How much work waits: `visible` can be received now, `inFlight` is being worked on.
public struct QueueDepth: Sendable, Equatable {
    public var visible: Int
    public var inFlight: Int

    public init(visible: Int, inFlight: Int) {
        self.visible = visible
        self.inFlight = inFlight
    }

    /// What the autoscaler sizes the fleet from: waiting plus in-progress jobs. Negative counts
    /// (a broken or hostile endpoint) count as zero rather than shrinking the backlog; absurdly
    /// large ones saturate instead of trapping.
    public var backlog: Int {
        let (sum, overflowed) = max(visible, 0).addingReportingOverflow(max(inFlight, 0))
        return overflowed ? Int.max : sum
    }
}

/// One message of a batch send that the queue refused, and why.
public struct QueueSendFailure: Error, Sendable, Equatable {
    public var index: Int
    public var code: String
    public var message: String

    public init(index: Int, code: String, message: String) {
        self.index = index
        self.code = code
        self.message = message
    }
}

/// The seam between the tiers and a message queue (SQS in production and against moto).
///
/// Every call may throw a transport or service error; callers treat those as transient and rely
/// on redelivery (at-least-once), so an implementation must not swallow failures.
public protocol JobQueue: Sendable {
    /// Long-polls for up to `maxMessages` (1...10) messages, waiting up to `waitSeconds` (0...20).
    func receive(maxMessages: Int, waitSeconds: Int) async throws -> [QueuedMessage]
    /// Acknowledges a message: it will not be delivered again.
    func delete(_ message: QueuedMessage) async throws
    /// Sets how long the message stays invisible from now (0 hands it back to the queue at once).
    func changeVisibility(of message: QueuedMessage, seconds: Int) async throws
    /// Sends bodies in order, in batches as the queue allows; returns the ones refused.
    func send(_ bodies: [String]) async throws -> [QueueSendFailure]
    /// The queue's approximate depth (eventually consistent on SQS).
    func depth() async throws -> QueueDepth
}
