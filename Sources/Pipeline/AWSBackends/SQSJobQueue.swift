import AWS
import Foundation

/// `JobQueue` on an SQS queue (standard or FIFO), through our own SQS client.
public struct SQSJobQueue: JobQueue {
    public let client: SQSClient
    public let queueURL: String
    /// For FIFO queues: the group of each sent message. Per-image groups keep the fleet parallel
    /// (one shared group would serialise every worker behind one message).
    public let isFIFO: Bool

    public init(client: SQSClient, queueURL: String, isFIFO: Bool = false) {
        self.client = client
        self.queueURL = queueURL
        self.isFIFO = isFIFO
    }

    public func receive(maxMessages: Int, waitSeconds: Int) async throws -> [QueuedMessage] {
        let messages = try await client.receiveMessages(
            queueURL: queueURL, maxMessages: min(max(maxMessages, 1), 10), waitTimeSeconds: waitSeconds,
            attributeNames: ["ApproximateReceiveCount"])
        return messages.map {
            QueuedMessage(messageId: $0.messageId, receiptHandle: $0.receiptHandle, body: $0.body,
                          receiveCount: $0.approximateReceiveCount ?? 1)
        }
    }

    public func delete(_ message: QueuedMessage) async throws {
        try await client.deleteMessage(queueURL: queueURL, receiptHandle: message.receiptHandle)
    }

    public func changeVisibility(of message: QueuedMessage, seconds: Int) async throws {
        try await client.changeMessageVisibility(queueURL: queueURL, receiptHandle: message.receiptHandle,
                                                 visibilityTimeout: seconds)
    }

    public func send(_ bodies: [String]) async throws -> [QueueSendFailure] {
        if bodies.count == 1 {
            _ = try await client.sendMessage(queueURL: queueURL, outgoing(bodies[0], index: 0))
            return []
        }
        var failures: [QueueSendFailure] = []
        // SQS takes at most 10 entries per batch; entry ids are the bodies' indices.
        for start in stride(from: 0, to: bodies.count, by: 10) {
            let end = min(start + 10, bodies.count)
            let entries = (start..<end).map {
                SQSSendBatchEntry(id: String($0), message: outgoing(bodies[$0], index: $0))
            }
            let result = try await client.sendMessageBatch(queueURL: queueURL, entries: entries)
            failures += result.failed.map {
                QueueSendFailure(index: Int($0.id) ?? -1, code: $0.code, message: $0.message ?? "")
            }
        }
        return failures
    }

    public func depth() async throws -> QueueDepth {
        let attributes = try await client.queueAttributes(
            queueURL: queueURL, names: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        return QueueDepth(visible: attributes.approximateNumberOfMessages ?? 0,
                          inFlight: attributes.approximateNumberOfMessagesNotVisible ?? 0)
    }

    private func outgoing(_ body: String, index: Int) -> SQSOutgoingMessage {
        guard isFIFO else { return SQSOutgoingMessage(body: body) }
        // Content-based dedup would drop a deliberate resend; a per-message group keeps order
        // where it matters (none across images) without serialising the fleet.
        let group = "g-\(UInt32(truncatingIfNeeded: body.hashValue))"
        return SQSOutgoingMessage(body: body, messageGroupId: group,
                                  messageDeduplicationId: "\(ObjectNaming.newID())")
    }
}
