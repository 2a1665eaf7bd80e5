@testable import AWS
import Foundation
import Testing
import TestSupport

/// SQS (JSON protocol) against a real moto server over HTTP.
@Suite("SQS against moto")
struct SQSMotoTests {
    let sqs: SQSClient

    init() async throws {
        sqs = SQSClient(configuration: try await MotoServer.shared().configuration())
    }

    func newQueue(_ attributes: SQSQueueAttributes = SQSQueueAttributes(), fifo: Bool = false) async throws -> String {
        try await sqs.createQueue(named: MotoNames.unique("sqst") + (fifo ? ".fifo" : ""), attributes: attributes)
    }

    @Test("a long poll returns as soon as a message arrives, well before WaitTimeSeconds")
    func longPollReturnsEarly() async throws {
        let queue = try await newQueue()
        let clock = ContinuousClock()
        let start = clock.now
        async let received = sqs.receiveMessages(queueURL: queue, waitTimeSeconds: 20)
        try await Task.sleep(for: .seconds(1))
        try await sqs.sendMessage(queueURL: queue, body: "wake up")
        let sent = clock.now
        let messages = try await received
        let returned = clock.now
        #expect(messages.map(\.body) == ["wake up"])
        // It waited for the send (about 1 s), answered soon after it, and long before the 20 s
        // limit. The margins are wide because a loaded test machine slows moto down.
        #expect(returned - start >= .milliseconds(900))
        #expect(returned - sent < .seconds(10))
        #expect(returned - start < .seconds(15))
    }

    @Test("a long poll on an empty queue waits the full time and returns nothing")
    func emptyLongPoll() async throws {
        let queue = try await newQueue()
        let clock = ContinuousClock()
        let start = clock.now
        let messages = try await sqs.receiveMessages(queueURL: queue, waitTimeSeconds: 2)
        #expect(messages.isEmpty)
        #expect(clock.now - start >= .milliseconds(1900))
    }

    @Test("an unacknowledged message becomes visible again after its visibility timeout")
    func visibilityTimeout() async throws {
        let queue = try await newQueue(SQSQueueAttributes(visibilityTimeout: 30))
        try await sqs.sendMessage(queueURL: queue, body: "retry me")
        let first = try await sqs.receiveMessages(queueURL: queue, visibilityTimeout: 10, attributeNames: ["ApproximateReceiveCount"])
        #expect(first.count == 1)
        #expect(first.first?.approximateReceiveCount == 1)
        // Hidden while in flight.
        #expect(try await sqs.receiveMessages(queueURL: queue, waitTimeSeconds: 0).isEmpty)
        // Back after the 10 s timeout (not the queue's 30 s), same message, counted again. The
        // timeout is that long because a loaded machine (load 16 on 2 cores seen) can take
        // seconds between two calls, which would let the message reappear before the check above.
        let second = try await sqs.receiveMessages(queueURL: queue, waitTimeSeconds: 20, attributeNames: ["All"])
        #expect(second.map(\.messageId) == first.map(\.messageId))
        #expect(second.first?.approximateReceiveCount == 2)
        #expect(second.first?.receiptHandle != first.first?.receiptHandle)
    }

    @Test("ChangeMessageVisibility 0 releases a message at once; DeleteMessage acknowledges it")
    func changeVisibilityAndDelete() async throws {
        let queue = try await newQueue(SQSQueueAttributes(visibilityTimeout: 60))
        try await sqs.sendMessage(queueURL: queue, body: "m")
        let first = try #require(try await sqs.receiveMessages(queueURL: queue).first)
        try await sqs.changeMessageVisibility(queueURL: queue, receiptHandle: first.receiptHandle, visibilityTimeout: 0)
        let again = try #require(try await sqs.receiveMessages(queueURL: queue, waitTimeSeconds: 2).first)
        #expect(again.messageId == first.messageId)
        try await sqs.deleteMessage(queueURL: queue, receiptHandle: again.receiptHandle)
        let attributes = try await sqs.queueAttributes(queueURL: queue)
        #expect(attributes.approximateNumberOfMessages == 0)
        #expect(attributes.approximateNumberOfMessagesNotVisible == 0)
    }

    @Test("a message moves to the dead-letter queue after maxReceiveCount receives")
    func deadLetterQueue() async throws {
        let deadLetters = try await newQueue()
        let dlqArn = try #require(try await sqs.queueAttributes(queueURL: deadLetters, names: ["QueueArn"]).queueArn)
        let queue = try await newQueue(SQSQueueAttributes(
            visibilityTimeout: 1, redrivePolicy: SQSRedrivePolicy(deadLetterTargetArn: dlqArn, maxReceiveCount: 2)))
        #expect(try await sqs.queueAttributes(queueURL: queue).raw["RedrivePolicy"]?.contains(dlqArn) == true)
        let sent = try await sqs.sendMessage(queueURL: queue, body: "poison")

        for attempt in 1...2 {
            let messages = try await sqs.receiveMessages(queueURL: queue, waitTimeSeconds: 5, attributeNames: ["ApproximateReceiveCount"])
            #expect(messages.map(\.messageId) == [sent.messageId], "receive \(attempt)")
            #expect(messages.first?.approximateReceiveCount == attempt)
        }
        // The third receive finds the count exhausted: the message goes to the DLQ instead.
        try await Task.sleep(for: .milliseconds(1200))
        #expect(try await sqs.receiveMessages(queueURL: queue, waitTimeSeconds: 1).isEmpty)
        let dead = try await sqs.receiveMessages(queueURL: deadLetters, waitTimeSeconds: 5)
        #expect(dead.map(\.body) == ["poison"])
        #expect(dead.map(\.messageId) == [sent.messageId])
    }

    @Test("batches of 10 are sent, received and deleted")
    func batchesOfTen() async throws {
        let queue = try await newQueue()
        let entries = (0..<10).map { SQSSendBatchEntry(id: "e\($0)", message: SQSOutgoingMessage(
            body: "job \($0)", messageAttributes: ["index": .number(String($0)), "kind": .string("job")])) }
        let sent = try await sqs.sendMessageBatch(queueURL: queue, entries: entries)
        #expect(sent.failed.isEmpty)
        #expect(Set(sent.successful.map(\.id)) == Set(entries.map(\.id)))

        var received: [SQSMessage] = []
        for _ in 0..<10 where received.count < 10 {
            received += try await sqs.receiveMessages(queueURL: queue, maxMessages: 10, waitTimeSeconds: 1,
                                                      messageAttributeNames: ["All"])
        }
        #expect(Set(received.map(\.body)) == Set((0..<10).map { "job \($0)" }))
        #expect(received.allSatisfy { $0.messageAttributes["kind"] == .string("job") })
        #expect(received.allSatisfy { $0.messageAttributes["index"]?.stringValue == String($0.body.dropFirst(4)) })

        let deletions = received.enumerated().map { SQSDeleteBatchEntry(id: "d\($0.offset)", receiptHandle: $0.element.receiptHandle) }
        let deleted = try await sqs.deleteMessageBatch(queueURL: queue, entries: deletions)
        #expect(deleted.failed.isEmpty)
        #expect(deleted.successful.count == 10)
        let attributes = try await sqs.queueAttributes(queueURL: queue)
        #expect(attributes.approximateNumberOfMessages == 0 && attributes.approximateNumberOfMessagesNotVisible == 0)
    }

    @Test("per-entry batch failures are surfaced next to the successes")
    func perEntryFailures() async throws {
        let queue = try await newQueue()
        let sent = try await sqs.sendMessageBatch(queueURL: queue, entries: [
            SQSSendBatchEntry(id: "good", message: SQSOutgoingMessage(body: "fine")),
            SQSSendBatchEntry(id: "late", message: SQSOutgoingMessage(body: "too late", delaySeconds: 1000)),
        ])
        #expect(sent.successful.map(\.id) == ["good"])
        #expect(sent.failed.map(\.id) == ["late"])
        #expect(sent.failed.first?.code == "InvalidParameterValue")
        #expect(sent.failed.first?.senderFault == true)

        let message = try #require(try await sqs.receiveMessages(queueURL: queue, waitTimeSeconds: 2).first)
        let deleted = try await sqs.deleteMessageBatch(queueURL: queue, entries: [
            SQSDeleteBatchEntry(id: "valid", receiptHandle: message.receiptHandle),
            SQSDeleteBatchEntry(id: "forged", receiptHandle: "not-a-receipt-handle"),
        ])
        #expect(deleted.successful == ["valid"])
        #expect(deleted.failed.map(\.id) == ["forged"])
        #expect(deleted.failed.first?.code == "ReceiptHandleIsInvalid")

        // Duplicate ids fail the whole call, with a typed error.
        do {
            _ = try await sqs.sendMessageBatch(queueURL: queue, entries: [
                SQSSendBatchEntry(id: "same", message: SQSOutgoingMessage(body: "a")),
                SQSSendBatchEntry(id: "same", message: SQSOutgoingMessage(body: "b")),
            ])
            Issue.record("a batch with duplicate ids was accepted")
        } catch SQSError.batchEntryIdsNotDistinct {
            // expected
        }
    }

    @Test("queue attributes report visible and in-flight counts and the ARN")
    func queueCounts() async throws {
        let name = MotoNames.unique("sqsc")
        let queue = try await sqs.createQueue(named: name, attributes: SQSQueueAttributes(visibilityTimeout: 45, receiveMessageWaitTimeSeconds: 1))
        #expect(try await sqs.queueURL(named: name) == queue)
        for index in 0..<3 { try await sqs.sendMessage(queueURL: queue, body: "m\(index)") }
        _ = try await sqs.receiveMessages(queueURL: queue)
        let attributes = try await sqs.queueAttributes(queueURL: queue)
        #expect(attributes.approximateNumberOfMessages == 2)
        #expect(attributes.approximateNumberOfMessagesNotVisible == 1)
        #expect(attributes.visibilityTimeout == 45)
        #expect(attributes.raw["ReceiveMessageWaitTimeSeconds"] == "1")
        #expect(attributes.queueArn?.hasSuffix(":\(name)") == true)

        try await sqs.purgeQueue(queueURL: queue)
        let purged = try await sqs.queueAttributes(queueURL: queue)
        #expect(purged.approximateNumberOfMessages == 0)
    }

    @Test("FIFO: group ids keep order and content-based deduplication drops repeats")
    func fifo() async throws {
        let queue = try await newQueue(SQSQueueAttributes(fifoQueue: true, contentBasedDeduplication: true), fifo: true)
        #expect(try await sqs.queueAttributes(queueURL: queue).isFIFO)
        for body in ["first", "second", "first"] {
            try await sqs.sendMessage(queueURL: queue, SQSOutgoingMessage(body: body, messageGroupId: "image-1"))
        }
        try await sqs.sendMessage(queueURL: queue, SQSOutgoingMessage(body: "third", messageGroupId: "image-1",
                                                                      messageDeduplicationId: "explicit-1"))
        let messages = try await sqs.receiveMessages(queueURL: queue, maxMessages: 10, waitTimeSeconds: 1, attributeNames: ["All"])
        #expect(messages.map(\.body) == ["first", "second", "third"])
        #expect(messages.allSatisfy { $0.attributes["MessageGroupId"] == "image-1" })
    }

    @Test("non-ASCII and JSON-hostile bodies round-trip and pass the MD5 check both ways",
          arguments: ["ünïcödé ✓ 🚀", "{\"v\":1,\"key\":\"a/b\\\\c\"}", "line1\nline2\ttab", String(repeating: "x", count: 200_000)])
    func bodyIntegrity(body: String) async throws {
        let queue = try await newQueue()
        let sent = try await sqs.sendMessage(queueURL: queue, body: body)
        #expect(sent.md5OfMessageBody == SQSChecksum.md5Hex(body))
        let received = try await sqs.receiveMessages(queueURL: queue, waitTimeSeconds: 2)
        #expect(received.map(\.body) == [body])
    }

    @Test("a missing queue is a typed queueDoesNotExist error naming it")
    func missingQueue() async throws {
        let name = MotoNames.unique("absent")
        await #expect(throws: SQSError.queueDoesNotExist(queue: name)) { try await sqs.queueURL(named: name) }
        let queue = try await newQueue()
        try await sqs.deleteQueue(queueURL: queue)
        await #expect(throws: SQSError.queueDoesNotExist(queue: queue)) { try await sqs.sendMessage(queueURL: queue, body: "x") }
    }
}
