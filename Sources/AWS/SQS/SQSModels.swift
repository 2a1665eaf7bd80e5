import Foundation

/// A received message: what a worker needs to process it and then delete it.
public struct SQSMessage: Sendable, Equatable {
    public var messageId: String
    /// The handle of this receipt; needed to delete the message or change its visibility.
    public var receiptHandle: String
    public var body: String
    /// System attributes that were asked for (`ApproximateReceiveCount`, `SentTimestamp`, …).
    public var attributes: [String: String]
    /// User message attributes that were asked for.
    public var messageAttributes: [String: SQSMessageAttributeValue]
    public var md5OfBody: String?

    public init(messageId: String, receiptHandle: String, body: String, attributes: [String: String] = [:],
                messageAttributes: [String: SQSMessageAttributeValue] = [:], md5OfBody: String? = nil) {
        self.messageId = messageId
        self.receiptHandle = receiptHandle
        self.body = body
        self.attributes = attributes
        self.messageAttributes = messageAttributes
        self.md5OfBody = md5OfBody
    }

    /// How many times this message has been received, when `ApproximateReceiveCount` was asked for.
    public var approximateReceiveCount: Int? { attributes["ApproximateReceiveCount"].flatMap { Int($0) } }
}

/// A user message attribute: a data type (`String`, `Number`, `Binary`, optionally with a
/// `.custom` suffix) and its value.
public struct SQSMessageAttributeValue: Sendable, Equatable {
    public var dataType: String
    public var stringValue: String?
    public var binaryValue: Data?

    public init(dataType: String, stringValue: String? = nil, binaryValue: Data? = nil) {
        self.dataType = dataType
        self.stringValue = stringValue
        self.binaryValue = binaryValue
    }

    public static func string(_ value: String) -> Self { Self(dataType: "String", stringValue: value) }
    public static func number(_ value: String) -> Self { Self(dataType: "Number", stringValue: value) }
    public static func binary(_ value: Data) -> Self { Self(dataType: "Binary", binaryValue: value) }
}

/// A message to send, alone or in a batch.
public struct SQSOutgoingMessage: Sendable, Equatable {
    public var body: String
    public var delaySeconds: Int?
    public var messageAttributes: [String: SQSMessageAttributeValue]
    /// FIFO queues: messages with the same group id are delivered in order, one at a time.
    public var messageGroupId: String?
    /// FIFO queues: repeats within 5 minutes are dropped (not needed with content-based dedup).
    public var messageDeduplicationId: String?

    public init(body: String, delaySeconds: Int? = nil, messageAttributes: [String: SQSMessageAttributeValue] = [:],
                messageGroupId: String? = nil, messageDeduplicationId: String? = nil) {
        self.body = body
        self.delaySeconds = delaySeconds
        self.messageAttributes = messageAttributes
        self.messageGroupId = messageGroupId
        self.messageDeduplicationId = messageDeduplicationId
    }
}

/// What `SendMessage` reports.
public struct SQSSendResult: Sendable, Equatable {
    public var messageId: String
    public var md5OfMessageBody: String?
    /// FIFO queues only.
    public var sequenceNumber: String?
}

/// Redrive to a dead-letter queue after `maxReceiveCount` receives without a delete.
public struct SQSRedrivePolicy: Sendable, Equatable {
    public var deadLetterTargetArn: String
    public var maxReceiveCount: Int

    public init(deadLetterTargetArn: String, maxReceiveCount: Int) {
        self.deadLetterTargetArn = deadLetterTargetArn
        self.maxReceiveCount = maxReceiveCount
    }
}

/// Attributes to create a queue with; nil leaves the service default.
public struct SQSQueueAttributes: Sendable, Equatable {
    /// A FIFO queue; its name must end in `.fifo`.
    public var fifoQueue: Bool?
    public var contentBasedDeduplication: Bool?
    /// Seconds a received message stays hidden from other receivers (0...43200).
    public var visibilityTimeout: Int?
    /// Default long-poll wait for receives that do not give one (0...20).
    public var receiveMessageWaitTimeSeconds: Int?
    public var messageRetentionPeriod: Int?
    public var delaySeconds: Int?
    public var redrivePolicy: SQSRedrivePolicy?
    /// Anything else, by its SQS attribute name.
    public var additional: [String: String]

    public init(fifoQueue: Bool? = nil, contentBasedDeduplication: Bool? = nil, visibilityTimeout: Int? = nil,
                receiveMessageWaitTimeSeconds: Int? = nil, messageRetentionPeriod: Int? = nil,
                delaySeconds: Int? = nil, redrivePolicy: SQSRedrivePolicy? = nil, additional: [String: String] = [:]) {
        self.fifoQueue = fifoQueue
        self.contentBasedDeduplication = contentBasedDeduplication
        self.visibilityTimeout = visibilityTimeout
        self.receiveMessageWaitTimeSeconds = receiveMessageWaitTimeSeconds
        self.messageRetentionPeriod = messageRetentionPeriod
        self.delaySeconds = delaySeconds
        self.redrivePolicy = redrivePolicy
        self.additional = additional
    }

    /// The attribute map SQS expects (every value a string; the redrive policy a JSON string).
    public var wireAttributes: [String: String] {
        var map = additional
        if let fifoQueue { map["FifoQueue"] = fifoQueue ? "true" : "false" }
        if let contentBasedDeduplication { map["ContentBasedDeduplication"] = contentBasedDeduplication ? "true" : "false" }
        if let visibilityTimeout { map["VisibilityTimeout"] = String(visibilityTimeout) }
        if let receiveMessageWaitTimeSeconds { map["ReceiveMessageWaitTimeSeconds"] = String(receiveMessageWaitTimeSeconds) }
        if let messageRetentionPeriod { map["MessageRetentionPeriod"] = String(messageRetentionPeriod) }
        if let delaySeconds { map["DelaySeconds"] = String(delaySeconds) }
        if let redrivePolicy {
            // The ARN needs JSON string escaping only in theory (ARNs have no quotes), but do it right.
            let arn = String(decoding: (try? JSONEncoder().encode(redrivePolicy.deadLetterTargetArn)) ?? Data("\"\"".utf8), as: UTF8.self)
            map["RedrivePolicy"] = #"{"deadLetterTargetArn":\#(arn),"maxReceiveCount":\#(redrivePolicy.maxReceiveCount)}"#
        }
        return map
    }
}

/// A queue's attributes as `GetQueueAttributes` returned them, with typed accessors for the
/// ones the tiers use.
public struct SQSQueueAttributeValues: Sendable, Equatable {
    public var raw: [String: String]

    public init(raw: [String: String]) { self.raw = raw }

    public var approximateNumberOfMessages: Int? { raw["ApproximateNumberOfMessages"].flatMap { Int($0) } }
    public var approximateNumberOfMessagesNotVisible: Int? { raw["ApproximateNumberOfMessagesNotVisible"].flatMap { Int($0) } }
    public var approximateNumberOfMessagesDelayed: Int? { raw["ApproximateNumberOfMessagesDelayed"].flatMap { Int($0) } }
    public var queueArn: String? { raw["QueueArn"] }
    public var visibilityTimeout: Int? { raw["VisibilityTimeout"].flatMap { Int($0) } }
    public var isFIFO: Bool { raw["FifoQueue"] == "true" }
}

/// A batch entry that failed while others in the same call may have succeeded.
public struct SQSBatchFailure: Sendable, Equatable {
    /// The entry id the caller chose.
    public var id: String
    public var code: String
    public var message: String?
    /// True when the entry itself was wrong (do not retry it unchanged).
    public var senderFault: Bool
}

/// The outcome of `SendMessageBatch`: per entry, a message id or a failure.
public struct SQSSendBatchResult: Sendable, Equatable {
    public struct Success: Sendable, Equatable {
        public var id: String
        public var messageId: String
        public var md5OfMessageBody: String?
    }
    public var successful: [Success]
    public var failed: [SQSBatchFailure]
}

/// The outcome of `DeleteMessageBatch` / `ChangeMessageVisibilityBatch`: ids that succeeded and
/// entries that failed.
public struct SQSBatchResult: Sendable, Equatable {
    public var successful: [String]
    public var failed: [SQSBatchFailure]
}

/// One entry of a send batch: a caller-chosen id (unique within the batch) and the message.
public struct SQSSendBatchEntry: Sendable, Equatable {
    public var id: String
    public var message: SQSOutgoingMessage
    public init(id: String, message: SQSOutgoingMessage) {
        self.id = id
        self.message = message
    }
}

/// One entry of a delete batch.
public struct SQSDeleteBatchEntry: Sendable, Equatable {
    public var id: String
    public var receiptHandle: String
    public init(id: String, receiptHandle: String) {
        self.id = id
        self.receiptHandle = receiptHandle
    }
}
