import CCrypto
import Foundation

/// SQS returns the MD5 of every message body it stores or delivers; comparing it with our own
/// catches a body mangled on the way (a proxy, an encoding bug) before a worker acts on it.
/// MD5 is SQS's choice here, an integrity check, not security.
enum SQSChecksum {
    /// Lower-case hex MD5 of the body's UTF-8 bytes.
    static func md5Hex(_ text: String) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let bytes = Array(text.utf8)
        let succeeded = bytes.withUnsafeBytes { raw in
            EVP_Digest(raw.baseAddress, raw.count, &digest, &length, EVP_md5(), nil)
        }
        precondition(succeeded == 1, "libcrypto could not compute MD5")
        let hex = Array("0123456789abcdef".utf8)
        var result = [UInt8]()
        result.reserveCapacity(Int(length) * 2)
        for byte in digest.prefix(Int(length)) {
            result.append(hex[Int(byte >> 4)])
            result.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Throws `.checksumMismatch` when SQS reported an MD5 that differs from the body's.
    /// An absent MD5 is accepted: it is optional in SQS-compatible servers.
    static func verify(body: String, reportedMD5: String?, messageId: String?, operation: String) throws {
        guard let reportedMD5 else { return }
        let expected = md5Hex(body)
        guard reportedMD5.lowercased() == expected else {
            throw SQSError.checksumMismatch(operation: operation, messageId: messageId, expected: expected, reported: reportedMD5)
        }
    }
}
