@testable import AWS
import Foundation
import Testing
import TestSupport

/// Our signer against botocore's (`SigV4Auth`, `S3SigV4Auth`) on hundreds of seeded random
/// requests: methods, unicode and reserved characters in paths and queries, repeated and
/// oddly spaced headers, session tokens, unsigned payloads, S3 and other services. botocore
/// runs once, in one Python process, over all cases (Tests/python/aws/aws_sigv4_reference.py).
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: TestPaths.python.path),
                "the venv (.venv/bin/python with botocore) is missing: run scripts/setup"))
struct SigV4DifferentialTests {
    static let seed: UInt64 = 20_261_130
    static let caseCount = 600

    @Test func signaturesMatchBotocore() throws {
        let random = SeededRandom(seed: Self.seed)
        let cases = (0..<Self.caseCount).map { _ in RandomSigningCase(random) }
        let ours = cases.map { $0.signWithOurs() }
        let theirs = try BotocoreReference.sign(cases)
        try #require(theirs.count == cases.count)
        var mismatches = 0
        for index in cases.indices {
            let (mine, reference) = (ours[index], theirs[index])
            let stage: String? = mine.canonicalRequest != reference.canonical_request ? "canonical request"
                : mine.stringToSign != reference.string_to_sign ? "string to sign"
                : mine.authorization != reference.authorization ? "signature" : nil
            guard let stage else { continue }
            mismatches += 1
            if mismatches <= 3 {
                Issue.record("""
                    case \(index) (seed \(Self.seed)): \(stage) differs from botocore
                    request: \(cases[index].summary)
                    --- botocore canonical request
                    \(reference.canonical_request)
                    --- ours
                    \(mine.canonicalRequest)
                    --- botocore Authorization: \(reference.authorization)
                    --- ours:                   \(mine.authorization)
                    """)
            }
            // S3 must also send the payload hash it signed.
            if cases[index].service == "s3" {
                let sent = reference.headers.first { $0[0].lowercased() == "x-amz-content-sha256" }?[1]
                #expect(mine.contentSHA256 == sent, "case \(index): x-amz-content-sha256")
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(cases.count) signatures differ from botocore")
        // The generator must actually reach the interesting corners.
        #expect(cases.contains { $0.service == "s3" } && cases.contains { $0.service != "s3" })
        #expect(cases.contains { $0.credentials.sessionToken != nil } && cases.contains { $0.unsignedPayload })
        #expect(cases.contains { $0.rawPath.unicodeScalars.contains { $0.value > 0x7F } })
        #expect(cases.contains { $0.headers.fields.contains { $0.value.contains("  ") } })
    }
}

/// One random request, with everything both signers need.
struct RandomSigningCase {
    var service: String
    var region: String
    var method: String
    var endpoint: URL?
    var rawPath: String
    var query: [(name: String, value: String)]
    var headers: AWSHeaders
    var body: [UInt8]
    var credentials: AWSCredentials
    var date: Date
    var unsignedPayload: Bool

    static let services = ["s3", "s3", "sqs", "ec2", "sts", "dynamodb", "execute-api", "monitoring"]
    static let regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1", "us-gov-west-1", "me-central-1"]
    static let methods = ["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"]
    static let pieces = ["a", "Z", "0", "9", "-", "_", ".", "~", " ", "  ", "+", "=", "&", "*", "(", ")", ",", ";", "@",
                         ":", "!", "'", "$", "?", "#", "[", "]", "%", "%20", "/", "ü", "é", "日本", "😀", "ß", "\u{301}",
                         "photo", "my key", "x.jpg", "..", "."]
    static let headerNames = ["Content-Type", "X-Amz-Meta-Name", "x-amz-meta-NOTE", "X-Custom-Header", "X-Amz-Target",
                              "Content-MD5", "X-Dup", "x-dup", "Cache-Control", "x-amz-acl", "User-Agent", "Expect"]
    static let valuePieces = ["a", "B", "text/plain", "1", " ", "  ", "   ", "\t", "=", ";", ",", "\"q\"", "/", "+", ":"]

    init(_ random: SeededRandom) {
        func pick<T>(_ options: [T]) -> T { options[random.next(below: options.count)] }
        func text(_ parts: [String], maxPieces: Int) -> String {
            (0..<random.next(below: maxPieces + 1)).map { _ in pick(parts) }.joined()
        }
        service = pick(Self.services)
        region = pick(Self.regions)
        method = pick(Self.methods)
        let custom = random.next(below: 3) == 0
        endpoint = custom ? URL(string: pick(["http://127.0.0.1:5000", "http://localhost:4566", "https://vpce.example.com"])) : nil
        if service == "s3" {
            let bucket = pick(["photos", "my-bucket", "bucket.with.dots", "b1"])
            rawPath = "/\(bucket)/" + (0..<random.next(below: 4)).map { _ in text(Self.pieces, maxPieces: 5) }.joined(separator: "/")
        } else {
            rawPath = random.next(below: 2) == 0 ? "/" : "/" + (0..<1 + random.next(below: 3)).map { _ in text(Self.pieces, maxPieces: 4) }.joined(separator: "/")
        }
        query = (0..<random.next(below: 6)).map { _ in
            (random.next(below: 5) == 0 ? pick(["list-type", "prefix", "X-Dup"]) : "k" + text(Self.pieces, maxPieces: 3),
             text(Self.pieces, maxPieces: 4))
        }
        var headers = AWSHeaders()
        for _ in 0..<random.next(below: 6) {
            let value = text(Self.valuePieces, maxPieces: 8)
            headers.add(name: pick(Self.headerNames), value: value)
        }
        self.headers = headers
        body = (0..<random.next(below: 200)).map { _ in UInt8(random.next(below: 256)) }
        let token = random.next(below: 3) == 0 ? "IQoJb3JpZ2luX2VjE/+" + text(["a", "Z", "9", "/", "+", "="], maxPieces: 40) : nil
        credentials = AWSCredentials(accessKeyID: "AKID" + String(random.next(below: 1_000_000)),
                                     secretAccessKey: "secret/" + text(["a", "Z", "9", "+", "/"], maxPieces: 30),
                                     sessionToken: token)
        date = Date(timeIntervalSince1970: 1_262_304_000 + Double(random.next(below: 800_000_000)))
        let https = endpoint?.scheme != "http"
        unsignedPayload = https && random.next(below: 6) == 0
    }

    var target: AWSRequestTarget {
        AWSEndpoint(service: AWSService(signingName: service), region: region, customEndpoint: endpoint)
            .target(for: AWSRequest(method: method, path: rawPath, query: query))
    }

    var summary: String { "\(method) \(service) \(region) \(target.urlString) headers=\(headers.fields.map { "\($0.name): \($0.value)" })" }

    struct Signed {
        var canonicalRequest: String
        var stringToSign: String
        var authorization: String
        var contentSHA256: String?
    }

    func signWithOurs() -> Signed {
        var options = SigV4Signer.Options(service: service)
        if unsignedPayload { options.addContentSHA256Header = true }
        let signer = SigV4Signer(credentials: credentials, service: service, region: region, options: options)
        let payloadHash = unsignedPayload ? SigV4.unsignedPayload : SHA256.hex(SHA256.hash(body))
        let result = signer.sign(method: method, target: target, headers: headers, payloadHash: payloadHash, date: date)
        return Signed(canonicalRequest: result.canonicalRequest, stringToSign: result.stringToSign,
                      authorization: result.authorization ?? "", contentSHA256: result.headers["x-amz-content-sha256"])
    }

    var json: [String: Any] {
        [
            "service": service, "region": region, "method": method, "url": target.urlString,
            "headers": headers.fields.map { [$0.name, $0.value] }, "body_hex": body.map { String(format: "%02x", $0) }.joined(),
            "access_key": credentials.accessKeyID, "secret_key": credentials.secretAccessKey,
            "token": credentials.sessionToken as Any, "timestamp": SigV4Timestamp(date).amzDate,
            "unsigned_payload": unsignedPayload,
        ]
    }
}

/// Runs Tests/python/aws/aws_sigv4_reference.py once over a batch of cases.
enum BotocoreReference {
    struct Result: Decodable {
        var canonical_request: String
        var string_to_sign: String
        var authorization: String
        var headers: [[String]]
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func sign(_ cases: [RandomSigningCase]) throws -> [Result] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("awscore-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("cases.json"), output = directory.appendingPathComponent("out.json")
        let errors = directory.appendingPathComponent("err.txt")
        try JSONSerialization.data(withJSONObject: ["cases": cases.map(\.json)]).write(to: input)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = TestPaths.python
        process.arguments = [TestPaths.repositoryRoot.appendingPathComponent("Tests/python/aws/aws_sigv4_reference.py").path]
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        process.environment = environment
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "botocore reference failed: \((try? String(contentsOf: errors, encoding: .utf8)) ?? "")")
        }
        struct Document: Decodable { var results: [Result] }
        return try JSONDecoder().decode(Document.self, from: Data(contentsOf: output)).results
    }
}
