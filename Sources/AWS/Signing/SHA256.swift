import CCrypto
import Foundation

/// SHA-256 and HMAC-SHA256 over OpenSSL's libcrypto (see the CCrypto shim for why the
/// low-level functions are used).
public enum SHA256 {
    public static let emptyHashHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { output, count in
            ec_sha256(bytes.baseAddress, bytes.count, output.baseAddress)
            count = 32
        }
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] { bytes.withUnsafeBytes { hash($0) } }
    public static func hash(_ data: Data) -> [UInt8] { data.withUnsafeBytes { hash($0) } }
    public static func hash(_ string: String) -> [UInt8] {
        var copy = string
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// The SHA-256 of a file's contents, read in 1 MiB chunks.
    public static func hash(fileAt url: URL) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var context = SHA256_CTX()
        ec_sha256_init(&context)
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { ec_sha256_update(&context, $0.baseAddress, $0.count) }
        }
        return [UInt8](unsafeUninitializedCapacity: 32) { output, count in
            ec_sha256_final(&context, output.baseAddress)
            count = 32
        }
    }

    /// Lower-case hex, as SigV4 writes hashes and signatures.
    public static func hex(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { output in
            hexDigits.withUnsafeBufferPointer { digits in
                for (index, byte) in bytes.enumerated() {
                    output[2 * index] = digits[Int(byte >> 4)]
                    output[2 * index + 1] = digits[Int(byte & 0x0F)]
                }
            }
            return bytes.count * 2
        }
    }

    @inline(__always)
    static func appendHex(_ bytes: [UInt8], to output: inout [UInt8]) {
        output.reserveCapacity(output.count + bytes.count * 2)
        for byte in bytes {
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0x0F)])
        }
    }
}

/// An HMAC-SHA256 key with its padded inner and outer hash states precomputed, so each
/// message costs two SHA-256 finishes and no key schedule.
public struct HMACKey: Sendable {
    let state: ec_hmac_sha256_key

    public init(_ key: [UInt8]) {
        var state = ec_hmac_sha256_key()
        key.withUnsafeBytes { ec_hmac_sha256_key_init(&state, $0.baseAddress, $0.count) }
        self.state = state
    }

    public func authenticate(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        withUnsafePointer(to: state) { key in
            [UInt8](unsafeUninitializedCapacity: 32) { output, count in
                ec_hmac_sha256(key, message.baseAddress, message.count, output.baseAddress)
                count = 32
            }
        }
    }

    public func authenticate(_ message: [UInt8]) -> [UInt8] { message.withUnsafeBytes { authenticate($0) } }
    public func authenticate(_ message: String) -> [UInt8] {
        var copy = message
        return copy.withUTF8 { authenticate(UnsafeRawBufferPointer($0)) }
    }
}
