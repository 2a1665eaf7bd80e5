import Foundation

/// The SQS JSON protocol (awsJson1_0): every call is `POST /` with `X-Amz-Target:
/// AmazonSQS.<Operation>` and a JSON body naming the queue by URL. These are the request and
/// response shapes, kept internal; the client turns them into the public value types.
enum SQSWire {
    static let contentType = "application/x-amz-json-1.0"

    static func request<Payload: Encodable>(_ operation: String, _ payload: Payload, timeout: Duration? = nil) throws -> AWSRequest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(payload)
        return AWSRequest(method: "POST", path: "/",
                          headers: ["X-Amz-Target": "AmazonSQS.\(operation)", "Content-Type": contentType],
                          body: .data(body), timeout: timeout)
    }

    static func decode<Shape: Decodable>(_ shape: Shape.Type, from body: Data, operation: String) throws -> Shape {
        // Some calls answer with an empty body rather than "{}".
        let data = body.isEmpty ? Data("{}".utf8) : body
        do {
            return try JSONDecoder().decode(shape, from: data)
        } catch {
            throw SQSError.malformedResponse(operation: operation, reason: String(describing: error))
        }
    }

    // MARK: Requests

    struct QueueName: Encodable { var QueueName: String }
    struct CreateQueue: Encodable { var QueueName: String; var Attributes: [String: String]? }
    struct QueueURL: Encodable { var QueueUrl: String }
    struct GetQueueAttributes: Encodable { var QueueUrl: String; var AttributeNames: [String] }

    struct MessageAttribute: Codable {
        var DataType: String
        var StringValue: String?
        /// A blob: base64 in the JSON protocol.
        var BinaryValue: String?

        init(_ value: SQSMessageAttributeValue) {
            DataType = value.dataType
            StringValue = value.stringValue
            BinaryValue = value.binaryValue?.base64EncodedString()
        }

        var value: SQSMessageAttributeValue {
            SQSMessageAttributeValue(dataType: DataType, stringValue: StringValue,
                                     binaryValue: BinaryValue.flatMap { Data(base64Encoded: $0) })
        }
    }

    struct SendMessage: Encodable {
        var QueueUrl: String?
        var Id: String?
        var MessageBody: String
        var DelaySeconds: Int?
        var MessageAttributes: [String: MessageAttribute]?
        var MessageGroupId: String?
        var MessageDeduplicationId: String?

        init(queueURL: String?, id: String?, message: SQSOutgoingMessage) {
            QueueUrl = queueURL
            Id = id
            MessageBody = message.body
            DelaySeconds = message.delaySeconds
            MessageAttributes = message.messageAttributes.isEmpty ? nil : message.messageAttributes.mapValues(MessageAttribute.init)
            MessageGroupId = message.messageGroupId
            MessageDeduplicationId = message.messageDeduplicationId
        }
    }

    struct SendMessageBatch: Encodable { var QueueUrl: String; var Entries: [SendMessage] }

    struct ReceiveMessage: Encodable {
        var QueueUrl: String
        var MaxNumberOfMessages: Int?
        var WaitTimeSeconds: Int?
        var VisibilityTimeout: Int?
        /// The current name of the system-attribute list…
        var MessageSystemAttributeNames: [String]?
        /// …and the deprecated one, still the only one older SQS-compatible servers read.
        var AttributeNames: [String]?
        var MessageAttributeNames: [String]?
    }

    struct DeleteMessage: Encodable { var QueueUrl: String; var ReceiptHandle: String }
    struct DeleteEntry: Encodable { var Id: String; var ReceiptHandle: String }
    struct DeleteMessageBatch: Encodable { var QueueUrl: String; var Entries: [DeleteEntry] }
    struct ChangeMessageVisibility: Encodable { var QueueUrl: String; var ReceiptHandle: String; var VisibilityTimeout: Int }

    // MARK: Responses

    struct QueueURLResult: Decodable { var QueueUrl: String? }
    struct AttributesResult: Decodable { var Attributes: [String: String]? }
    struct SendMessageResult: Decodable { var MessageId: String?; var MD5OfMessageBody: String?; var SequenceNumber: String? }

    struct Message: Decodable {
        var MessageId: String?
        var ReceiptHandle: String?
        var MD5OfBody: String?
        var Body: String?
        var Attributes: [String: String]?
        var MessageAttributes: [String: MessageAttribute]?
    }
    struct ReceiveMessageResult: Decodable { var Messages: [Message]? }

    struct BatchFailure: Decodable {
        var Id: String
        var Code: String
        var Message: String?
        var SenderFault: Bool

        enum CodingKeys: String, CodingKey { case Id, Code, Message, SenderFault }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            Id = try container.decode(String.self, forKey: .Id)
            Code = try container.decode(String.self, forKey: .Code)
            Message = try container.decodeIfPresent(String.self, forKey: .Message)
            // The protocol says boolean; moto sends "true" (a string) in SendMessageBatch.
            if let flag = try? container.decodeIfPresent(Bool.self, forKey: .SenderFault) {
                SenderFault = flag
            } else {
                SenderFault = (try? container.decodeIfPresent(String.self, forKey: .SenderFault))?.lowercased() == "true"
            }
        }

        var failure: SQSBatchFailure { SQSBatchFailure(id: Id, code: Code, message: Message, senderFault: SenderFault) }
    }

    struct SendBatchSuccess: Decodable { var Id: String; var MessageId: String; var MD5OfMessageBody: String? }
    struct SendMessageBatchResult: Decodable { var Successful: [SendBatchSuccess]?; var Failed: [BatchFailure]? }
    struct IdOnly: Decodable { var Id: String }
    struct BatchResult: Decodable { var Successful: [IdOnly]?; var Failed: [BatchFailure]? }
}
