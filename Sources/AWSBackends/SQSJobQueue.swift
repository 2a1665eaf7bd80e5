import AWS
import Foundation
import Pipeline

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

    /// One `SendMessage` for a single body, else `SendMessageBatch` by tens. Each batch stands
    /// alone: a batch the service refuses as a whole (or that never got an answer) fails only its
    /// own entries, never the batches already sent or still to come, so a caller reports exactly
    /// those. Entries the service failed on its side (`SenderFault` false: throttling, internal
    /// errors) are sent once more in a batch of their own before they count as failed.
    public func send(_ bodies: [String]) async throws -> [QueueSendFailure] {
        if bodies.count == 1 {
            _ = try await client.sendMessage(queueURL: queueURL, outgoing(bodies[0], index: 0))
            return []
        }
        var failures: [QueueSendFailure] = []
        for start in stride(from: 0, to: bodies.count, by: 10) {
            let first = await sendBatch(Array(start..<min(start + 10, bodies.count)), bodies)
            failures += first.refused
            if !first.serverFaults.isEmpty {
                let again = await sendBatch(first.serverFaults.map(\.index), bodies)
                failures += again.refused + again.serverFaults
            }
        }
        return failures.sorted { $0.index < $1.index }
    }

    /// Sends `indices` as one batch (entry ids are the indices): the entries refused for good
    /// (sender faults, or the whole batch when the call failed) and those failed on SQS's side.
    private func sendBatch(_ indices: [Int], _ bodies: [String]) async
        -> (refused: [QueueSendFailure], serverFaults: [QueueSendFailure]) {
        let entries = indices.map { SQSSendBatchEntry(id: String($0), message: outgoing(bodies[$0], index: $0)) }
        let result: SQSSendBatchResult
        do {
            result = try await client.sendMessageBatch(queueURL: queueURL, entries: entries)
        } catch {
            // Whether SQS stored any of these is unknown (e.g. a timeout after sending); they are
            // reported, and a copy that did arrive is merely processed without being shown.
            return (indices.map { QueueSendFailure(index: $0, code: "BatchNotSent", message: "\(error)") }, [])
        }
        var refused: [QueueSendFailure] = []
        var serverFaults: [QueueSendFailure] = []
        for failure in result.failed {
            guard let index = Int(failure.id), indices.contains(index) else { continue }
            let reported = QueueSendFailure(index: index, code: failure.code, message: failure.message ?? "")
            if failure.senderFault { refused.append(reported) } else { serverFaults.append(reported) }
        }
        return (refused, serverFaults)
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
