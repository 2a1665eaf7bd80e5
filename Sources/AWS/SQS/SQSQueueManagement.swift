import Foundation

/// Queue administration for provisioning: tagged creation, attributes, tags. The tiers never call
/// these (their roles may not).
extension SQSClient {
    /// Creates the queue with `attributes` and `tags` (tags are set at creation only, as SQS's
    /// `CreateQueue` does; an existing queue of that name with the same attributes is returned
    /// unchanged).
    public func createQueue(named name: String, attributes: SQSQueueAttributes, tags: [String: String]) async throws -> String {
        let wire = attributes.wireAttributes
        let request = try SQSWire.request("CreateQueue", SQSWire.CreateTaggedQueue(
            QueueName: name, Attributes: wire.isEmpty ? nil : wire, tags: tags.isEmpty ? nil : tags))
        let result = try SQSWire.decode(SQSWire.QueueURLResult.self, from: try await perform(request, queue: name), operation: "CreateQueue")
        guard let url = result.QueueUrl else { throw SQSError.malformedResponse(operation: "CreateQueue", reason: "no QueueUrl") }
        return url
    }

    /// Sets the given attributes; the others keep their values.
    public func setQueueAttributes(queueURL: String, attributes: SQSQueueAttributes) async throws {
        let request = try SQSWire.request("SetQueueAttributes", SQSWire.SetQueueAttributes(
            QueueUrl: queueURL, Attributes: attributes.wireAttributes))
        _ = try await perform(request, queue: queueURL)
    }

    /// The queue's tags (SQS's cost-allocation tags).
    public func queueTags(queueURL: String) async throws -> [String: String] {
        let request = try SQSWire.request("ListQueueTags", SQSWire.QueueURL(QueueUrl: queueURL))
        return try SQSWire.decode(SQSWire.TagsResult.self, from: try await perform(request, queue: queueURL),
                                  operation: "ListQueueTags").Tags ?? [:]
    }

    /// The URL of the queue called `name`, or nil when there is none.
    public func existingQueueURL(named name: String) async throws -> String? {
        do {
            return try await queueURL(named: name)
        } catch SQSError.queueDoesNotExist {
            return nil
        }
    }
}

extension SQSWire {
    /// `tags` is lower-case in SQS's JSON protocol, unlike every other member.
    struct CreateTaggedQueue: Encodable { var QueueName: String; var Attributes: [String: String]?; var tags: [String: String]? }
    struct SetQueueAttributes: Encodable { var QueueUrl: String; var Attributes: [String: String] }
    struct TagsResult: Decodable { var Tags: [String: String]? }
}
