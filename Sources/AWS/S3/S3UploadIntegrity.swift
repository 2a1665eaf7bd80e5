import CDeflate
import Foundation

/// How an upload's body is bound to the request, so that S3 refuses a body changed on the way.
///
/// Both modes make S3 recompute a digest of what it received and reject a mismatch before
/// storing anything; they differ in cost and in what the digest guards against.
public enum S3UploadIntegrity: Sendable, Equatable {
    /// The body's SHA-256 goes into the signature (`x-amz-content-sha256`): S3 answers
    /// `XAmzContentSHA256Mismatch` for any other body. Cryptographic, and the costliest: one
    /// SHA-256 pass over every byte (about 1.5 GB/s with SHA-NI here).
    case signedSHA256
    /// `x-amz-content-sha256: UNSIGNED-PAYLOAD` (S3 API reference, "Signature Calculations for
    /// the Authorization Header": allowed for S3) plus a signed `x-amz-checksum-crc32` header:
    /// S3 recomputes the CRC32, answers `BadDigest` on a mismatch and keeps the checksum with
    /// the object (returned with `x-amz-checksum-mode: ENABLED`). CRC32 catches accidental
    /// corruption, not a forger, which is what the AWS SDKs settle for on their default path:
    /// over https TLS already authenticates the bytes, and the signature still covers the
    /// header that names the checksum. With PCLMUL (libdeflate) it costs several times less
    /// than SHA-256, which is why bulk image intake uses it. Used only where nobody can rewrite
    /// the bytes in flight (see `effective(for:)`).
    case crc32Checksum

    /// What is actually sent to `endpoint`: a CRC32 only over https (TLS authenticates the bytes)
    /// or to a loopback host (no wire to tamper with, e.g. moto). Over plain http to any other
    /// host a forger could match a CRC32 with a changed body, so the signed SHA-256 stays, as
    /// botocore does ("payloads will always be signed over insecure connections").
    public func effective(for endpoint: AWSEndpoint) -> S3UploadIntegrity {
        guard self == .crc32Checksum, endpoint.scheme.lowercased() != "https" else { return self }
        return Self.isLoopback(authority: endpoint.authority) ? .crc32Checksum : .signedSHA256
    }

    /// `127.x.x.x`, `[::1]` or `localhost`, with or without a port.
    static func isLoopback(authority: String) -> Bool {
        let host: Substring
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
        } else {
            host = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        }
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

/// A checksum S3 verifies on upload (`x-amz-checksum-<algorithm>`), as S3 spells it.
public struct S3PayloadChecksum: Sendable, Equatable {
    /// `CRC32` (the name used in `x-amz-sdk-checksum-algorithm`).
    public var algorithm: String
    /// Base64 of the big-endian digest, as `x-amz-checksum-crc32` carries it.
    public var base64Value: String

    public init(algorithm: String, base64Value: String) {
        self.algorithm = algorithm
        self.base64Value = base64Value
    }

    /// The header that carries the value: `x-amz-checksum-crc32`.
    public var headerName: String { "x-amz-checksum-" + algorithm.lowercased() }

    /// The CRC32 (ISO-HDLC, as zlib and S3 compute it) of `bytes`.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> S3PayloadChecksum {
        crc32(value: bytes.isEmpty ? 0 : libdeflate_crc32(0, bytes.baseAddress, bytes.count))
    }

    public static func crc32(_ bytes: [UInt8]) -> S3PayloadChecksum { bytes.withUnsafeBytes { crc32($0) } }
    public static func crc32(_ data: Data) -> S3PayloadChecksum { data.withUnsafeBytes { crc32($0) } }

    /// The CRC32 of a file's contents, read in 1 MiB chunks.
    public static func crc32(fileAt url: URL) throws -> S3PayloadChecksum {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var value: UInt32 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            value = chunk.withUnsafeBytes { UInt32(libdeflate_crc32(value, $0.baseAddress, $0.count)) }
        }
        return crc32(value: value)
    }

    static func crc32(value: UInt32) -> S3PayloadChecksum {
        let bigEndian: [UInt8] = [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        return S3PayloadChecksum(algorithm: "CRC32", base64Value: Data(bigEndian).base64EncodedString())
    }

    /// The checksum `integrity` asks for (nil for `.signedSHA256`, whose digest the signer computes).
    static func forUpload(_ body: AWSRequestBody, _ integrity: S3UploadIntegrity) throws -> S3PayloadChecksum? {
        guard integrity == .crc32Checksum else { return nil }
        switch body {
        case .empty: return crc32([])
        case let .bytes(bytes): return crc32(bytes)
        case let .data(data): return crc32(data)
        case let .file(url):
            do { return try crc32(fileAt: url) } catch {
                throw S3Error.invalidRequest(reason: "cannot read the upload file \(url.path) for its checksum: \(error)")
            }
        }
    }
}
