/// SigV4's URI encoding: every byte except the RFC 3986 unreserved set (A-Z a-z 0-9 - _ . ~)
/// becomes %XX with upper-case hex; "/" is kept only in paths.
public enum URIEncoding {
    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E: return true
        default: return false
        }
    }

    /// Appends the encoding of `bytes` to `output`.
    @inline(__always)
    static func append<S: Sequence>(_ bytes: S, keepSlash: Bool, to output: inout [UInt8]) where S.Element == UInt8 {
        for byte in bytes {
            if isUnreserved(byte) || (keepSlash && byte == 0x2F) {
                output.append(byte)
            } else {
                output.append(0x25)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
        }
    }

    public static func encode(_ string: String, keepSlash: Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(string.utf8.count + 8)
        append(string.utf8, keepSlash: keepSlash, to: &output)
        return String(decoding: output, as: UTF8.self)
    }
}
