import Foundation
import Testing
import TestSupport
@testable import AWS

/// `S3UploadIntegrity.crc32Checksum`: the checksum itself, the request it produces, and the upload
/// against a moto that checks signatures.
@Suite("S3 uploads with a CRC32 checksum instead of a signed SHA-256")
struct S3UploadIntegrityTests {
    /// The textbook bit-at-a-time CRC-32 (reflected polynomial 0xEDB88320, init and final XOR
    /// 0xFFFFFFFF): the definition the table-driven libdeflate code must agree with.
    static func referenceCRC32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func base64BigEndian(_ value: UInt32) -> String {
        Data([UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
            .base64EncodedString()
    }

    static func pattern(_ count: Int) -> [UInt8] {
        var state: UInt32 = 0x1234_5678
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    @Test("the CRC32 check value of \"123456789\" is CBF43926 (base64 of its big-endian bytes)")
    func checkValue() {
        let checksum = S3PayloadChecksum.crc32(Array("123456789".utf8))
        #expect(checksum.base64Value == Self.base64BigEndian(0xCBF4_3926))
        #expect(checksum.algorithm == "CRC32")
        #expect(checksum.headerName == "x-amz-checksum-crc32")
    }

    @Test("the CRC32 of bytes, Data and a file matches the bitwise definition", arguments: [0, 1, 7, 65_539, 1_048_577])
    func matchesReference(size: Int) throws {
        let bytes = Self.pattern(size)
        let expected = Self.base64BigEndian(Self.referenceCRC32(bytes))
        #expect(S3PayloadChecksum.crc32(bytes).base64Value == expected)
        #expect(S3PayloadChecksum.crc32(Data(bytes)).base64Value == expected)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("crc-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try S3PayloadChecksum.crc32(fileAt: file).base64Value == expected)
    }

    @Test("a checksummed PutObject is sent as UNSIGNED-PAYLOAD with the checksum and its algorithm as (signed) headers")
    func requestShape() throws {
        let body: [UInt8] = Self.pattern(1000)
        let checksum = try #require(try S3PayloadChecksum.forUpload(.bytes(body), .crc32Checksum))
        let request = try S3RequestBuilder.putObject(bucket: "b-1", key: "k.jpg", body: .bytes(body), contentType: "image/jpeg",
                                                     metadata: [:], checksum: checksum)
        #expect(request.payloadSigning == .unsigned)
        #expect(request.headers["x-amz-checksum-crc32"] == Self.base64BigEndian(Self.referenceCRC32(body)))
        #expect(request.headers["x-amz-sdk-checksum-algorithm"] == "CRC32")
        #expect(try AWSRequestExecutor.payloadHash(of: request, url: "") == SigV4.unsignedPayload)

        let signer = SigV4Signer(credentials: MotoServer.testCredentials, service: "s3", region: "us-east-1")
        let signed = signer.sign(method: request.method, wirePath: "/b-1/k.jpg", query: [], host: "127.0.0.1",
                                 headers: request.headers, payloadHash: SigV4.unsignedPayload, date: Date())
        #expect(signed.signedHeaders.split(separator: ";").contains("x-amz-checksum-crc32"), "the checksum is covered by the signature")
        #expect(signed.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD")

        // The default stays a signed SHA-256 with no checksum header.
        #expect(try S3PayloadChecksum.forUpload(.bytes(body), .signedSHA256) == nil)
        let plain = try S3RequestBuilder.putObject(bucket: "b-1", key: "k.jpg", body: .bytes(body), contentType: nil, metadata: [:])
        #expect(plain.payloadSigning == .signed && plain.headers["x-amz-checksum-crc32"] == nil)
    }

    @Test("a CRC32 replaces the signed SHA-256 only over https or to a loopback host",
          arguments: [("https://s3.example.com", true), ("http://127.0.0.1:5005", true), ("http://127.8.9.10", true),
                      ("http://[::1]:9000", true), ("http://LOCALHOST:9", true), ("http://10.0.0.5:9000", false),
                      ("http://example.com", false), ("http://127.0.0.1.example.com", false), ("http://[::2]:9000", false)])
    func effectiveIntegrity(endpoint: String, crc32: Bool) throws {
        let resolved = AWSEndpoint(service: .s3, region: "us-east-1", customEndpoint: URL(string: endpoint))
        #expect(S3UploadIntegrity.crc32Checksum.effective(for: resolved) == (crc32 ? .crc32Checksum : .signedSHA256))
        #expect(S3UploadIntegrity.signedSHA256.effective(for: resolved) == .signedSHA256)
    }

    @Test("AWS's own regional endpoint is https, so it gets the CRC32")
    func regionalEndpoint() {
        let resolved = AWSEndpoint(service: .s3, region: "eu-west-1", customEndpoint: nil)
        #expect(S3UploadIntegrity.crc32Checksum.effective(for: resolved) == .crc32Checksum)
    }

    @Test("a missing upload file is an S3 error naming it, before anything is sent")
    func missingFile() async throws {
        let s3 = S3Client(configuration: try await MotoServer.shared().configuration())
        let missing = URL(fileURLWithPath: "/nonexistent/\(UUID().uuidString).jpg")
        await #expect(throws: S3Error.self) {
            try await s3.putObject(bucket: "any-bucket", key: "k", contentsOf: missing, integrity: .crc32Checksum)
        }
    }

    @Test("with signature checking on, checksummed uploads from bytes, Data and a file are accepted and stored with their CRC32; a wrong secret is refused")
    func againstCheckingMoto() async throws {
        let server = try MotoServer.startPrivate()
        defer { server.stop() }
        let credentials = try await MotoIAM(server: server).createUserWithAccessKey(MotoNames.unique("crc"))
        try server.setSignatureChecking(true)
        let s3 = S3Client(configuration: server.configuration(credentials: credentials))
        let bucket = MotoNames.unique("crc")
        try await s3.createBucket(bucket)

        let bytes = Self.pattern(300_001)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("crc-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try await s3.putObject(bucket: bucket, key: "bytes.jpg", bytes: bytes, contentType: "image/jpeg", integrity: .crc32Checksum)
        try await s3.putObject(bucket: bucket, key: "data.jpg", body: Data(bytes), integrity: .crc32Checksum)
        try await s3.putObject(bucket: bucket, key: "file.jpg", contentsOf: file, integrity: .crc32Checksum)

        let expected = Self.base64BigEndian(Self.referenceCRC32(bytes))
        for key in ["bytes.jpg", "data.jpg", "file.jpg"] {
            // GetObject with checksum mode returns the checksum S3 kept with the object.
            var get = try S3RequestBuilder.getObject(bucket: bucket, key: key)
            get.headers["x-amz-checksum-mode"] = "ENABLED"
            let response = try await s3.core.send(get)
            #expect(response.body == Data(bytes), "\(key) arrived intact")
            #expect(response.headers["x-amz-checksum-crc32"] == expected, "\(key) stored with the CRC32 we computed")
        }
        #expect(try await s3.headObject(bucket: bucket, key: "bytes.jpg").contentType == "image/jpeg")

        let wrongSecret = AWSCredentials(accessKeyID: credentials.accessKeyID,
                                         secretAccessKey: String(credentials.secretAccessKey.reversed()))
        do {
            try await S3Client(configuration: server.configuration(credentials: wrongSecret))
                .putObject(bucket: bucket, key: "forged.jpg", bytes: bytes, integrity: .crc32Checksum)
            Issue.record("a checksummed PUT with a wrong secret was accepted")
        } catch S3Error.signatureDoesNotMatch {
            // expected: the signature (which covers the checksum header) is checked as before
        }
        #expect(try await s3.listAllObjects(bucket: bucket).map(\.key).sorted() == ["bytes.jpg", "data.jpg", "file.jpg"])
    }
}
