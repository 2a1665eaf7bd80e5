import AWS
import Foundation
import Testing
import TestSupport

/// Every case of the AWS SigV4 test suites in ../shared/sigv4, header and query signing.
/// A failure names the first stage that differs, so a canonicalisation bug is not reported
/// as a mere signature mismatch.
@Suite(.enabled(if: TestPaths.shared != nil, "../shared is absent: the SigV4 test suites live there"))
struct SigV4VectorTests {
    static let v4Cases = SigV4TestVector.v4CaseNames()
    static let classicCases = SigV4TestVector.classicCaseNames()

    @Test func suitesAreComplete() {
        // The suites shipped with 38 v4 cases and 30 classic ones; a missing folder must not
        // silently shrink coverage.
        #expect(Self.v4Cases.count >= 38)
        #expect(Self.classicCases.count >= 30)
    }

    @Test("v4 suite, Authorization header", arguments: v4Cases)
    func v4HeaderSigning(name: String) throws {
        let vector = try SigV4TestVector.loadV4(name)
        let result = signer(for: vector).sign(
            method: vector.method, wirePath: vector.wirePath, query: vector.query, host: "example.amazonaws.com",
            headers: vector.headers, payloadHash: SHA256.hex(SHA256.hash(vector.body)), date: vector.date)
        compare(vector, expected: vector.header, canonicalRequest: result.canonicalRequest,
                stringToSign: result.stringToSign, signature: result.signature, authorization: result.authorization)
    }

    @Test("v4 suite, presigned query", arguments: v4Cases)
    func v4QuerySigning(name: String) throws {
        let vector = try SigV4TestVector.loadV4(name)
        let expected = try #require(vector.query_)
        let result = signer(for: vector).presign(
            method: vector.method, wirePath: vector.wirePath, query: vector.query, host: "example.amazonaws.com",
            headers: vector.headers, expires: vector.expires, payloadHash: SHA256.hex(SHA256.hash(vector.body)),
            date: vector.date)
        compare(vector, expected: expected, canonicalRequest: result.canonicalRequest,
                stringToSign: result.stringToSign, signature: result.signature, authorization: nil)
        // The URL must carry the signature last and the token even when it was not signed.
        #expect(result.query.last?.name == "X-Amz-Signature")
        if let token = vector.credentials.sessionToken {
            #expect(result.query.contains { $0.name == "X-Amz-Security-Token" && $0.value == token })
        }
    }

    @Test("classic suite, Authorization header", arguments: classicCases)
    func classicHeaderSigning(name: String) throws {
        let vector = try SigV4TestVector.loadClassic(name)
        let result = signer(for: vector).sign(
            method: vector.method, wirePath: vector.wirePath, query: vector.query, host: "example.amazonaws.com",
            headers: vector.headers, payloadHash: SHA256.hex(SHA256.hash(vector.body)), date: vector.date)
        compare(vector, expected: vector.header, canonicalRequest: result.canonicalRequest,
                stringToSign: result.stringToSign, signature: result.signature, authorization: result.authorization)
    }

    func signer(for vector: SigV4TestVector) -> SigV4Signer {
        // The suites use a generic service name, so the non-S3 path rules apply; `normalize`,
        // `sign_body` and `omit_session_token` map one-to-one onto signer options.
        SigV4Signer(credentials: vector.credentials, service: vector.service, region: vector.region,
                    options: SigV4Signer.Options(path: .encodedAgain(normalize: vector.normalize),
                                                 addContentSHA256Header: vector.signBody,
                                                 signSessionToken: !vector.omitSessionToken))
    }

    func compare(_ vector: SigV4TestVector, expected: SigV4TestVector.Expected, canonicalRequest: String,
                 stringToSign: String, signature: String, authorization: String?) {
        if let difference = Self.firstDifference(expected: expected, canonicalRequest: canonicalRequest,
                                                 stringToSign: stringToSign, signature: signature, authorization: authorization) {
            Issue.record("\(vector.suite.rawValue)/\(vector.name): \(difference)")
        }
    }

    /// The first stage that differs, with both versions, or nil when all match.
    static func firstDifference(expected: SigV4TestVector.Expected, canonicalRequest: String, stringToSign: String,
                                signature: String, authorization: String?) -> String? {
        if canonicalRequest != expected.canonicalRequest {
            return "canonical request differs\n--- expected\n\(expected.canonicalRequest)\n--- actual\n\(canonicalRequest)"
        }
        if stringToSign != expected.stringToSign {
            return "string to sign differs\n--- expected\n\(expected.stringToSign)\n--- actual\n\(stringToSign)"
        }
        if signature != expected.signature {
            return "signature differs (signing key or HMAC): expected \(expected.signature), got \(signature)"
        }
        if let wanted = expected.authorization, authorization != wanted {
            return "Authorization header differs\n--- expected\n\(wanted)\n--- actual\n\(authorization ?? "nil")"
        }
        return nil
    }

    /// The comparison itself must be able to fail, and must blame the right stage.
    @Test func aWrongInputIsBlamedOnItsStage() throws {
        let vector = try SigV4TestVector.loadV4("get-vanilla")
        func difference(_ signer: SigV4Signer, headers: AWSHeaders) -> String? {
            let result = signer.sign(method: vector.method, wirePath: vector.wirePath, query: vector.query,
                                     host: "example.amazonaws.com", headers: headers,
                                     payloadHash: SHA256.emptyHashHex, date: vector.date)
            return Self.firstDifference(expected: vector.header, canonicalRequest: result.canonicalRequest,
                                        stringToSign: result.stringToSign, signature: result.signature,
                                        authorization: result.authorization)
        }
        #expect(difference(signer(for: vector), headers: vector.headers) == nil)
        var extraHeader = vector.headers
        extraHeader["X-Extra"] = "1"
        #expect(difference(signer(for: vector), headers: extraHeader)?.hasPrefix("canonical request differs") == true)
        let otherRegion = SigV4Signer(credentials: vector.credentials, service: vector.service, region: "eu-west-1")
        #expect(difference(otherRegion, headers: vector.headers)?.hasPrefix("string to sign differs") == true)
        var wrongSecret = vector
        wrongSecret.credentials.secretAccessKey += "x"
        #expect(difference(signer(for: wrongSecret), headers: vector.headers)?.hasPrefix("signature differs") == true)
    }
}
