import Foundation
import Testing
@testable import AWS

@Suite("SQS JSON protocol encoding and decoding (no network)")
struct SQSUnitTests {
    @Test("requests are POST / with the AmazonSQS target and the JSON 1.0 content type")
    func protocolHeaders() throws {
        let request = try SQSWire.request("SendMessage", SQSWire.SendMessage(queueURL: "http://q", id: nil,
                                                                             message: SQSOutgoingMessage(body: "hi \"there\"")))
        #expect(request.method == "POST" && request.path == "/")
        #expect(request.headers["X-Amz-Target"] == "AmazonSQS.SendMessage")
        #expect(request.headers["Content-Type"] == "application/x-amz-json-1.0")
        guard case let .data(body) = request.body else { Issue.record("expected a JSON body"); return }
        let object = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        #expect(object?["MessageBody"] as? String == "hi \"there\"")
        #expect(object?["QueueUrl"] as? String == "http://q")
        #expect(object?["DelaySeconds"] == nil)
    }

    @Test("queue attributes encode as strings; the redrive policy is a JSON document with the ARN")
    func queueAttributes() throws {
        let attributes = SQSQueueAttributes(
            fifoQueue: true, contentBasedDeduplication: true, visibilityTimeout: 30, receiveMessageWaitTimeSeconds: 20,
            redrivePolicy: SQSRedrivePolicy(deadLetterTargetArn: "arn:aws:sqs:us-east-1:123456789012:dlq", maxReceiveCount: 3))
        let wire = attributes.wireAttributes
        #expect(wire["FifoQueue"] == "true" && wire["ContentBasedDeduplication"] == "true")
        #expect(wire["VisibilityTimeout"] == "30" && wire["ReceiveMessageWaitTimeSeconds"] == "20")
        let policy = try JSONSerialization.jsonObject(with: Data(try #require(wire["RedrivePolicy"]).utf8)) as? [String: Any]
        #expect(policy?["deadLetterTargetArn"] as? String == "arn:aws:sqs:us-east-1:123456789012:dlq")
        #expect(policy?["maxReceiveCount"] as? Int == 3)
    }

    @Test("binary message attributes travel as base64 and come back as bytes")
    func binaryAttribute() throws {
        let value = SQSMessageAttributeValue.binary(Data([0, 255, 7]))
        let wire = SQSWire.MessageAttribute(value)
        #expect(wire.BinaryValue == "AP8H")
        #expect(wire.value == value)
    }

    @Test("batch failures decode SenderFault as a boolean or as moto's string")
    func senderFault() throws {
        let body = """
            {"Successful":[{"Id":"a","MessageId":"m1","MD5OfMessageBody":"x"}],
             "Failed":[{"Id":"b","SenderFault":"true","Code":"InvalidParameterValue","Message":"bad"},
                       {"Id":"c","SenderFault":false,"Code":"InternalError"}]}
            """
        let result = try SQSWire.decode(SQSWire.SendMessageBatchResult.self, from: Data(body.utf8), operation: "SendMessageBatch")
        #expect(result.Successful?.map(\.Id) == ["a"])
        #expect(result.Failed?.map(\.failure) == [
            SQSBatchFailure(id: "b", code: "InvalidParameterValue", message: "bad", senderFault: true),
            SQSBatchFailure(id: "c", code: "InternalError", message: nil, senderFault: false),
        ])
    }

    @Test("a response that is not the expected JSON is a malformedResponse error")
    func malformedResponse() {
        #expect(throws: SQSError.self) {
            try SQSWire.decode(SQSWire.ReceiveMessageResult.self, from: Data("{\"Messages\": 5}".utf8), operation: "ReceiveMessage")
        }
    }

    @Test("the error decoder reads the JSON protocol's __type and the XML body of 403s",
          arguments: [
            (#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"nope"}"#, "QueueDoesNotExist", "nope"),
            (#"{"__type":"ReceiptHandleIsInvalid","Message":"bad handle"}"#, "ReceiptHandleIsInvalid", "bad handle"),
            ("<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>sig</Message></Error></Errors></ErrorResponse>",
             "SignatureDoesNotMatch", "sig"),
          ])
    func errorDecoder(body: String, code: String, message: String) {
        let details = SQSErrorDecoder().decodeError(status: 400, headers: ["x-amzn-RequestId": "r"], body: Data(body.utf8))
        #expect(details?.code == code)
        #expect(details?.message == message)
        #expect(details?.requestID == "r")
    }

    @Test("JSON and Query protocol codes map to the same typed errors")
    func errorMapping() {
        for code in ["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"] {
            #expect(SQSError.from(code: code, message: nil, status: 400, requestID: nil, queue: "q") == .queueDoesNotExist(queue: "q"))
        }
        #expect(SQSError.from(code: "BatchEntryIdsNotDistinct", message: "m", status: 400, requestID: nil, queue: nil) == .batchEntryIdsNotDistinct(message: "m"))
        #expect(SQSError.from(code: "Novel", message: nil, status: 500, requestID: "r", queue: nil) == .other(code: "Novel", message: nil, status: 500, requestID: "r"))
    }

    @Test("body checksums are MD5 over UTF-8 (RFC 1321 vectors); a mismatch is a typed error",
          arguments: [("", "d41d8cd98f00b204e9800998ecf8427e"), ("abc", "900150983cd24fb0d6963f7d28e17f72"),
                      ("message digest", "f96b697d7cb7938d525a2f31aaf161d0")])
    func checksum(body: String, md5: String) throws {
        #expect(SQSChecksum.md5Hex(body) == md5)
        try SQSChecksum.verify(body: body, reportedMD5: md5.uppercased(), messageId: "m", operation: "ReceiveMessage")
        #expect(throws: SQSError.self) {
            try SQSChecksum.verify(body: body + " ", reportedMD5: md5, messageId: "m", operation: "ReceiveMessage")
        }
    }

    @Test("batches outside 1...10 entries and out-of-range receive arguments are refused before sending")
    func clientSideLimits() async {
        // Port 9 (discard) on loopback: nothing is sent, the checks come first.
        let configuration = AWSClientConfiguration(region: "us-east-1", endpointURL: URL(string: "http://127.0.0.1:9"),
                                                   credentialsProvider: StaticCredentialsProvider(accessKeyID: "a", secretAccessKey: "b"))
        let client = SQSClient(configuration: configuration)
        let eleven = (0..<11).map { SQSSendBatchEntry(id: "e\($0)", message: SQSOutgoingMessage(body: "x")) }
        await #expect(throws: SQSError.self) { try await client.sendMessageBatch(queueURL: "q", entries: eleven) }
        await #expect(throws: SQSError.emptyBatchRequest) { try await client.deleteMessageBatch(queueURL: "q", entries: []) }
        await #expect(throws: SQSError.self) { try await client.receiveMessages(queueURL: "q", maxMessages: 11) }
        await #expect(throws: SQSError.self) { try await client.receiveMessages(queueURL: "q", waitTimeSeconds: 21) }
    }
}
