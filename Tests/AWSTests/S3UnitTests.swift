import Foundation
import Testing
import TestSupport
@testable import AWS

@Suite("S3 request building and response parsing (no network)")
struct S3UnitTests {
    @Test("CreateBucket sends a LocationConstraint outside us-east-1 only")
    func createBucketLocation() throws {
        let east = try S3RequestBuilder.createBucket("my-bucket", region: "us-east-1")
        #expect(east.method == "PUT" && east.path == "/my-bucket")
        guard case .empty = east.body else { Issue.record("us-east-1 must have no body"); return }

        let west = try S3RequestBuilder.createBucket("my-bucket", region: "eu-west-1")
        guard case let .data(body) = west.body else { Issue.record("expected an XML body"); return }
        let root = try XMLTreeReader.parse(body)
        #expect(root.name == "CreateBucketConfiguration")
        #expect(root.text(of: "LocationConstraint") == "eu-west-1")
    }

    @Test("PutObject sends content type and lower-cased x-amz-meta-* headers; the raw key is the path")
    func putObjectHeaders() throws {
        let request = try S3RequestBuilder.putObject(bucket: "b-1", key: "dir/a b+c.jpg", body: .bytes([1, 2]),
                                                     contentType: "image/jpeg", metadata: ["Job-Id": "42", "worker": "w1"])
        #expect(request.path == "/b-1/dir/a b+c.jpg")
        #expect(request.headers["content-type"] == "image/jpeg")
        #expect(request.headers["x-amz-meta-job-id"] == "42")
        #expect(request.headers["x-amz-meta-worker"] == "w1")
    }

    @Test("metadata that would break the header block is refused before sending",
          arguments: [("ok", "line\r\nX-Injected: 1"), ("bad name", "v"), ("", "v"), ("k", "naïve")])
    func hostileMetadata(name: String, value: String) {
        #expect(throws: S3Error.self) {
            try S3RequestBuilder.putObject(bucket: "b-1", key: "k", body: .empty, contentType: nil, metadata: [name: value])
        }
    }

    @Test("bucket names outside S3's rules are refused",
          arguments: ["ab", "UPPER", "has_underscore", "-dash", "dash-", "a/b", String(repeating: "a", count: 64)])
    func invalidBucketNames(name: String) {
        #expect(throws: S3Error.invalidBucketName(name)) { try S3RequestBuilder.headBucket(name) }
    }

    @Test("ListObjectsV2 query carries list-type=2 and the continuation token raw (the core encodes)")
    func listQuery() throws {
        let request = try S3RequestBuilder.listObjectsV2(bucket: "b-1", prefix: "in/", maxKeys: 500, continuationToken: "a/b+c=")
        #expect(request.query.map(\.name) == ["list-type", "continuation-token", "max-keys", "prefix"])
        #expect(request.query.first { $0.name == "continuation-token" }?.value == "a/b+c=")
        #expect(throws: S3Error.self) { try S3RequestBuilder.listObjectsV2(bucket: "b-1", maxKeys: 0) }
    }

    @Test("a ListBucketResult page is read: keys, sizes, prefixes, token")
    func listPage() throws {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>b-1</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
              <Contents><Key>a &amp; b.txt</Key><LastModified>2026-11-30T02:00:00.000Z</LastModified><ETag>"e1"</ETag><Size>5</Size></Contents>
              <Contents><Key>c.txt</Key><LastModified>2026-11-30T02:00:01Z</LastModified><ETag>"e2"</ETag><Size>0</Size></Contents>
              <CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>
              <NextContinuationToken>tok+/=</NextContinuationToken>
            </ListBucketResult>
            """
        let page = try S3ResponseParser.listPage(from: Data(body.utf8))
        #expect(page.objects.map(\.key) == ["a & b.txt", "c.txt"])
        #expect(page.objects.map(\.size) == [5, 0])
        #expect(page.objects.allSatisfy { $0.lastModified != nil })
        #expect(page.commonPrefixes == ["dir/"])
        #expect(page.isTruncated && page.nextContinuationToken == "tok+/=")
    }

    @Test("a truncated page without a continuation token is an error, not an endless loop")
    func truncatedWithoutToken() {
        let body = "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"
        #expect(throws: S3Error.self) { try S3ResponseParser.listPage(from: Data(body.utf8)) }
    }

    @Test("object attributes come from headers, metadata keys lower-cased")
    func attributes() {
        let headers: AWSHeaders = ["Content-Length": "12", "Content-Type": "text/plain", "ETag": "\"x\"",
                                   "Last-Modified": "Mon, 30 Nov 2026 02:00:00 GMT", "X-Amz-Meta-Job-Id": "7"]
        let attributes = S3ResponseParser.objectAttributes(from: headers)
        #expect(attributes.contentLength == 12 && attributes.contentType == "text/plain" && attributes.eTag == "\"x\"")
        #expect(attributes.metadata == ["job-id": "7"])
        #expect(attributes.lastModified == Date(timeIntervalSince1970: 1_796_004_000))
    }

    @Test("HTTP dates parse like Foundation's formatter over two centuries of random instants")
    func httpDatesAgreeWithDateFormatter() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var random = SeededGenerator(seed: 2026)
        for _ in 0..<2_000 {
            // 1900-01-01 ... 2100-01-01, whole seconds.
            let instant = Date(timeIntervalSince1970: TimeInterval(Int64.random(in: -2_208_988_800...4_102_444_800, using: &random)))
            let text = formatter.string(from: instant)
            #expect(HTTPDate.parse(text) == instant, "\(text)")
        }
    }

    @Test("malformed or obsolete HTTP dates give nil",
          arguments: ["", "Mon, 30 Nov 2026 02:00:00", "Mon, 30 Nov 2026 02:00:00 UTC", "Mon 30 Nov 2026 02:00:00 GMT",
                      "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Mon, 30 Foo 2026 02:00:00 GMT",
                      "Mon, 32 Nov 2026 02:00:00 GMT", "Mon, 30 Nov 2026 24:00:00 GMT", "Mon, 3 Nov 2026 02:00:00 GMT",
                      "Mon, 30 Nov 2026 02:00 GMT", "Xyz, 30 Nov 2026 02:00:00 GMT", "Mon, 30 Nov 2026 02:00:0x GMT"])
    func malformedHTTPDates(text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }

    @Test("header values lose surrounding whitespace only", arguments: [
        ("", ""), ("  ", ""), ("a", "a"), (" a ", "a"), ("\t\r\na b\r\n", "a b"), ("é ", "é"), (" \u{00A0}x", "\u{00A0}x"),
    ])
    func trimming(input: String, expected: String) {
        #expect(S3ResponseParser.trimmed(input) == expected)
    }

    @Test("errors map by code, and by status alone for bodiless HEAD responses")
    func errorMapping() {
        #expect(S3Error.from(code: "NoSuchKey", message: nil, status: 404, requestID: nil, bucket: "b", key: "k") == .noSuchKey(bucket: "b", key: "k"))
        #expect(S3Error.from(code: nil, message: nil, status: 404, requestID: nil, bucket: "b", key: "k") == .noSuchKey(bucket: "b", key: "k"))
        #expect(S3Error.from(code: nil, message: nil, status: 404, requestID: nil, bucket: "b", key: nil) == .noSuchBucket(bucket: "b"))
        #expect(S3Error.from(code: "SignatureDoesNotMatch", message: "m", status: 403, requestID: nil, bucket: "b", key: nil) == .signatureDoesNotMatch(message: "m"))
        #expect(S3Error.from(code: "Weird", message: "m", status: 400, requestID: "r", bucket: nil, key: nil) == .other(code: "Weird", message: "m", status: 400, requestID: "r"))
    }

    @Test("the XML error decoder reads S3, EC2, IAM and SQS error shapes",
          arguments: [
            ("<Error><Code>NoSuchKey</Code><Message>gone</Message><RequestId>r1</RequestId></Error>", "NoSuchKey", "r1"),
            ("<Response><Errors><Error><Code>AuthFailure</Code><Message>gone</Message></Error></Errors><RequestID>r2</RequestID></Response>", "AuthFailure", "r2"),
            ("<ErrorResponse><Error><Code>EntityAlreadyExists</Code><Message>gone</Message></Error><RequestId>r3</RequestId></ErrorResponse>", "EntityAlreadyExists", "r3"),
            ("<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>gone</Message></Error></Errors></ErrorResponse>", "SignatureDoesNotMatch", nil),
          ] as [(String, String, String?)])
    func xmlErrors(body: String, code: String, requestID: String?) {
        let details = XMLErrorDecoder().decodeError(status: 400, headers: AWSHeaders(), body: Data(body.utf8))
        #expect(details?.code == code)
        #expect(details?.message == "gone")
        #expect(details?.requestID == requestID)
    }

    @Test("bodies that are not error documents decode to nil (the core then reports the status)",
          arguments: ["", "<html><body>502</body></html>", "<Error><Code></Code></Error>", "<Error><Code>X</Code>"])
    func notErrors(body: String) {
        #expect(XMLErrorDecoder().decodeError(status: 502, headers: AWSHeaders(), body: Data(body.utf8)) == nil)
    }
}
