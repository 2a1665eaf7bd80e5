import Foundation

/// An SQS client over the JSON protocol. Queues are named by URL (from `createQueue` or
/// `queueURL(named:)`); failures are `SQSError`s, or the core's transport/credential errors.
public struct SQSClient: Sendable {
    public let core: AWSServiceClient

    public init(configuration: AWSClientConfiguration, transport: CurlTransport? = nil) {
        core = AWSServiceClient(service: .sqs, configuration: configuration, errorDecoder: SQSErrorDecoder(),
                                transport: transport)
    }

    // MARK: Queues

    /// Creates the queue (or returns the URL of an existing one with the same attributes).
    public func createQueue(named name: String, attributes: SQSQueueAttributes = SQSQueueAttributes()) async throws -> String {
        let wire = attributes.wireAttributes
        let request = try SQSWire.request("CreateQueue", SQSWire.CreateQueue(QueueName: name, Attributes: wire.isEmpty ? nil : wire))
        let result = try SQSWire.decode(SQSWire.QueueURLResult.self, from: try await perform(request, queue: name), operation: "CreateQueue")
        guard let url = result.QueueUrl else { throw SQSError.malformedResponse(operation: "CreateQueue", reason: "no QueueUrl") }
        return url
    }

    /// The URL of the queue called `name`; throws `.queueDoesNotExist` when there is none.
    public func queueURL(named name: String) async throws -> String {
        let request = try SQSWire.request("GetQueueUrl", SQSWire.QueueName(QueueName: name))
        let result = try SQSWire.decode(SQSWire.QueueURLResult.self, from: try await perform(request, queue: name), operation: "GetQueueUrl")
        guard let url = result.QueueUrl else { throw SQSError.malformedResponse(operation: "GetQueueUrl", reason: "no QueueUrl") }
        return url
    }

    /// The named attributes (`["All"]` for all): counts, ARN, timeouts, redrive policy.
    public func queueAttributes(queueURL: String, names: [String] = ["All"]) async throws -> SQSQueueAttributeValues {
        let request = try SQSWire.request("GetQueueAttributes", SQSWire.GetQueueAttributes(QueueUrl: queueURL, AttributeNames: names))
        let result = try SQSWire.decode(SQSWire.AttributesResult.self, from: try await perform(request, queue: queueURL),
                                        operation: "GetQueueAttributes")
        return SQSQueueAttributeValues(raw: result.Attributes ?? [:])
    }

    /// Deletes every message in the queue (at most once per 60 s per queue).
    public func purgeQueue(queueURL: String) async throws {
        _ = try await perform(try SQSWire.request("PurgeQueue", SQSWire.QueueURL(QueueUrl: queueURL)), queue: queueURL)
    }

    /// Deletes the queue and its messages.
    public func deleteQueue(queueURL: String) async throws {
        _ = try await perform(try SQSWire.request("DeleteQueue", SQSWire.QueueURL(QueueUrl: queueURL)), queue: queueURL)
    }

    // MARK: Sending

    /// Sends one message.
    @discardableResult
    public func sendMessage(queueURL: String, _ message: SQSOutgoingMessage) async throws -> SQSSendResult {
        let request = try SQSWire.request("SendMessage", SQSWire.SendMessage(queueURL: queueURL, id: nil, message: message))
        let result = try SQSWire.decode(SQSWire.SendMessageResult.self, from: try await perform(request, queue: queueURL),
                                        operation: "SendMessage")
        guard let id = result.MessageId else { throw SQSError.malformedResponse(operation: "SendMessage", reason: "no MessageId") }
        try SQSChecksum.verify(body: message.body, reportedMD5: result.MD5OfMessageBody, messageId: id, operation: "SendMessage")
        return SQSSendResult(messageId: id, md5OfMessageBody: result.MD5OfMessageBody, sequenceNumber: result.SequenceNumber)
    }

    /// Sends a plain text message.
    @discardableResult
    public func sendMessage(queueURL: String, body: String) async throws -> SQSSendResult {
        try await sendMessage(queueURL: queueURL, SQSOutgoingMessage(body: body))
    }

    /// Sends up to 10 messages in one call. Entries can fail individually while the call
    /// succeeds: check `failed`.
    public func sendMessageBatch(queueURL: String, entries: [SQSSendBatchEntry]) async throws -> SQSSendBatchResult {
        try Self.checkBatchSize(entries.count)
        let wire = SQSWire.SendMessageBatch(QueueUrl: queueURL, Entries: entries.map {
            SQSWire.SendMessage(queueURL: nil, id: $0.id, message: $0.message)
        })
        let result = try SQSWire.decode(SQSWire.SendMessageBatchResult.self,
                                        from: try await perform(try SQSWire.request("SendMessageBatch", wire), queue: queueURL),
                                        operation: "SendMessageBatch")
        let bodies = Dictionary(entries.map { ($0.id, $0.message.body) }, uniquingKeysWith: { first, _ in first })
        for success in result.Successful ?? [] {
            try SQSChecksum.verify(body: bodies[success.Id] ?? "", reportedMD5: success.MD5OfMessageBody,
                                   messageId: success.MessageId, operation: "SendMessageBatch")
        }
        return SQSSendBatchResult(
            successful: (result.Successful ?? []).map { .init(id: $0.Id, messageId: $0.MessageId, md5OfMessageBody: $0.MD5OfMessageBody) },
            failed: (result.Failed ?? []).map(\.failure))
    }

    // MARK: Receiving

    /// Receives up to `maxMessages` (1...10) messages, long-polling up to `waitTimeSeconds`
    /// (0...20; nil uses the queue's default). Returns early as soon as a message is available;
    /// an empty array means the wait ran out.
    ///
    /// - Parameters:
    ///   - visibilityTimeout: hides the received messages for this long instead of the queue default.
    ///   - attributeNames: system attributes to return, e.g. `["ApproximateReceiveCount"]` or `["All"]`.
    ///   - messageAttributeNames: user attributes to return (`["All"]` for all).
    public func receiveMessages(queueURL: String, maxMessages: Int = 1, waitTimeSeconds: Int? = nil,
                                visibilityTimeout: Int? = nil, attributeNames: [String] = [],
                                messageAttributeNames: [String] = []) async throws -> [SQSMessage] {
        guard (1...10).contains(maxMessages) else {
            throw SQSError.invalidRequest(reason: "maxMessages must be 1...10, got \(maxMessages)")
        }
        if let waitTimeSeconds, !(0...20).contains(waitTimeSeconds) {
            throw SQSError.invalidRequest(reason: "waitTimeSeconds must be 0...20, got \(waitTimeSeconds)")
        }
        let wire = SQSWire.ReceiveMessage(
            QueueUrl: queueURL, MaxNumberOfMessages: maxMessages, WaitTimeSeconds: waitTimeSeconds,
            VisibilityTimeout: visibilityTimeout,
            MessageSystemAttributeNames: attributeNames.isEmpty ? nil : attributeNames,
            AttributeNames: attributeNames.isEmpty ? nil : attributeNames,
            MessageAttributeNames: messageAttributeNames.isEmpty ? nil : messageAttributeNames)
        // The long poll must not be cut short by the ordinary request timeout: allow the full
        // wait (20 s when the queue default applies) plus a margin for the response.
        let wait = waitTimeSeconds ?? 20
        let timeout = max(core.configuration.timeouts.request, .seconds(wait + 10))
        let request = try SQSWire.request("ReceiveMessage", wire, timeout: timeout)
        let result = try SQSWire.decode(SQSWire.ReceiveMessageResult.self, from: try await perform(request, queue: queueURL),
                                        operation: "ReceiveMessage")
        return try (result.Messages ?? []).map { message in
            guard let id = message.MessageId, let handle = message.ReceiptHandle else {
                throw SQSError.malformedResponse(operation: "ReceiveMessage", reason: "message without MessageId or ReceiptHandle")
            }
            try SQSChecksum.verify(body: message.Body ?? "", reportedMD5: message.MD5OfBody, messageId: id, operation: "ReceiveMessage")
            return SQSMessage(messageId: id, receiptHandle: handle, body: message.Body ?? "",
                              attributes: message.Attributes ?? [:],
                              messageAttributes: (message.MessageAttributes ?? [:]).mapValues(\.value),
                              md5OfBody: message.MD5OfBody)
        }
    }

    // MARK: Acknowledging

    /// Deletes a received message (acknowledges it).
    public func deleteMessage(queueURL: String, receiptHandle: String) async throws {
        _ = try await perform(try SQSWire.request("DeleteMessage", SQSWire.DeleteMessage(QueueUrl: queueURL, ReceiptHandle: receiptHandle)),
                              queue: queueURL)
    }

    /// Deletes up to 10 received messages; entries can fail individually (check `failed`).
    public func deleteMessageBatch(queueURL: String, entries: [SQSDeleteBatchEntry]) async throws -> SQSBatchResult {
        try Self.checkBatchSize(entries.count)
        let wire = SQSWire.DeleteMessageBatch(QueueUrl: queueURL, Entries: entries.map {
            SQSWire.DeleteEntry(Id: $0.id, ReceiptHandle: $0.receiptHandle)
        })
        let result = try SQSWire.decode(SQSWire.BatchResult.self,
                                        from: try await perform(try SQSWire.request("DeleteMessageBatch", wire), queue: queueURL),
                                        operation: "DeleteMessageBatch")
        return SQSBatchResult(successful: (result.Successful ?? []).map(\.Id), failed: (result.Failed ?? []).map(\.failure))
    }

    /// Makes a received message visible again after `seconds` from now (0 releases it at once;
    /// a worker's heartbeat extends it while processing is slow).
    public func changeMessageVisibility(queueURL: String, receiptHandle: String, visibilityTimeout seconds: Int) async throws {
        guard (0...43_200).contains(seconds) else {
            throw SQSError.invalidRequest(reason: "visibility timeout must be 0...43200 s, got \(seconds)")
        }
        let wire = SQSWire.ChangeMessageVisibility(QueueUrl: queueURL, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds)
        _ = try await perform(try SQSWire.request("ChangeMessageVisibility", wire), queue: queueURL)
    }

    // MARK: Plumbing

    static func checkBatchSize(_ count: Int) throws {
        if count == 0 { throw SQSError.emptyBatchRequest }
        if count > 10 { throw SQSError.tooManyEntriesInBatchRequest(message: "\(count) entries; split into batches of 10") }
    }

    /// Sends through the core; service errors become `SQSError`s naming the queue.
    func perform(_ request: AWSRequest, queue: String) async throws -> Data {
        do {
            return try await core.send(request).body
        } catch let error as AWSServiceError {
            throw SQSError.from(code: error.code, message: error.message.isEmpty ? nil : error.message,
                                status: error.statusCode, requestID: error.requestID, queue: queue)
        }
    }
}
