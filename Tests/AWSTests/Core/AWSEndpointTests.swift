@testable import AWS
import Foundation
import Testing

/// Endpoint resolution: regional AWS hosts by default, one custom endpoint for all services.
@Suite struct AWSEndpointTests {
    func target(_ service: AWSService, region: String = "eu-west-1", custom: String? = nil, path: String,
                query: [(name: String, value: String)] = []) -> AWSRequestTarget {
        AWSEndpoint(service: service, region: region, customEndpoint: custom.flatMap(URL.init(string:)))
            .target(for: AWSRequest(method: "GET", path: path, query: query))
    }

    @Test("regional hosts by default", arguments: [
        (AWSService.sqs, "https://sqs.eu-west-1.amazonaws.com/"),
        (AWSService.ec2, "https://ec2.eu-west-1.amazonaws.com/"),
    ])
    func regionalDefaults(service: AWSService, url: String) {
        #expect(target(service, path: "/").urlString == url)
    }

    @Test func chinaRegionsUseTheirOwnDomain() {
        #expect(target(.sqs, region: "cn-north-1", path: "/").authority == "sqs.cn-north-1.amazonaws.com.cn")
    }

    @Test func s3UsesVirtualHostsForDNSSafeBucketsOnAWS() {
        let virtual = target(.s3, path: "/photos/2026/my cat.jpg")
        #expect(virtual.urlString == "https://photos.s3.eu-west-1.amazonaws.com/2026/my%20cat.jpg")
        #expect(target(.s3, path: "/photos").urlString == "https://photos.s3.eu-west-1.amazonaws.com/")
        // Dots would break the wildcard certificate, upper case is not DNS-safe: path style.
        #expect(target(.s3, path: "/my.bucket/k").urlString == "https://s3.eu-west-1.amazonaws.com/my.bucket/k")
        #expect(target(.s3, path: "/Legacy_Bucket/k").urlString == "https://s3.eu-west-1.amazonaws.com/Legacy_Bucket/k")
        #expect(target(.s3, path: "/").urlString == "https://s3.eu-west-1.amazonaws.com/")
    }

    @Test func aCustomEndpointServesEveryServiceWithPathStyleS3() {
        let moto = "http://127.0.0.1:5000"
        #expect(target(.s3, custom: moto, path: "/photos/a b+c.jpg").urlString == "http://127.0.0.1:5000/photos/a%20b%2Bc.jpg")
        #expect(target(.sqs, custom: moto, path: "/").urlString == "http://127.0.0.1:5000/")
        #expect(target(.ec2, custom: moto, path: "/").authority == "127.0.0.1:5000")
    }

    @Test func customEndpointPathPrefixAndIPv6AreKept() {
        #expect(target(.s3, custom: "https://proxy.example.com/aws/", path: "/b/k").urlString == "https://proxy.example.com/aws/b/k")
        #expect(target(.sqs, custom: "http://[::1]:4566", path: "/").authority == "[::1]:4566")
    }

    @Test("a malformed custom endpoint fails at once and never falls back to AWS",
          arguments: ["//127.0.0.1:5000", "localhost", "ftp://127.0.0.1:21", "file:///tmp/moto"])
    func malformedCustomEndpoint(text: String) async throws {
        // Unwrapped on purpose: a nil here would mean "no custom endpoint", i.e. real AWS.
        let endpoint = try #require(URL(string: text))
        let configuration = AWSClientConfiguration(region: "us-east-1", endpointURL: endpoint,
                                                   credentialsProvider: StaticCredentialsProvider(accessKeyID: "a", secretAccessKey: "b"))
        let client = AWSServiceClient(service: .sqs, configuration: configuration, errorDecoder: ClosureErrorDecoder { _, _, _ in nil })
        #expect(client.endpoint.problem != nil)
        let error = await #expect(throws: AWSTransportError.self) { try await client.send(AWSRequest(method: "POST")) }
        #expect(error?.kind == .invalidRequest)
        #expect(error?.message.contains("http://127.0.0.1:5000") == true)
        await #expect(throws: AWSTransportError.self) {
            try await client.presignedURL(for: AWSRequest(method: "GET"), expires: .seconds(60))
        }
    }

    @Test func queryIsEncodedOnceInOrder() {
        let encoded = target(.s3, custom: "http://127.0.0.1:1", path: "/b",
                             query: [("prefix", "a b/ü"), ("list-type", "2"), ("marker", "")]).encodedQuery
        #expect(encoded == "prefix=a%20b%2F%C3%BC&list-type=2&marker=")
    }
}

/// Ordered, case-insensitive header fields.
@Suite struct AWSHeadersTests {
    @Test func lookupIgnoresCase() {
        let headers: AWSHeaders = ["Content-Type": "text/plain", "x-amz-meta-Job": "7"]
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["X-AMZ-META-JOB"] == "7")
        #expect(headers["Content-Typ"] == nil)
        #expect(headers["Content-Typf"] == nil)
    }

    @Test func settingReplacesEveryFieldOfThatNameInPlace() {
        var headers = AWSHeaders([("A", "1"), ("b", "2"), ("a", "3")])
        headers["a"] = "x"
        #expect(headers.fields == [.init(name: "A", value: "x"), .init(name: "b", value: "2")])
        headers["B"] = nil
        #expect(headers.fields == [.init(name: "A", value: "x")])
    }

    @Test func addKeepsRepeats() {
        var headers = AWSHeaders()
        headers.add(name: "X-Dup", value: "1")
        headers.add(name: "x-dup", value: "2")
        #expect(headers.values(for: "X-DUP") == ["1", "2"])
        #expect(headers.count == 2)
    }

    @Test func nonLettersAreNotFoldedTogether() {
        // "@" (0x40) and "`" (0x60) differ only in the case bit but are not letters.
        let headers: AWSHeaders = ["x@": "1"]
        #expect(headers["x`"] == nil)
    }
}
