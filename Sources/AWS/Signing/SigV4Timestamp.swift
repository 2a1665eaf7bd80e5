import Foundation

/// The two date forms SigV4 uses, computed once per signature from a `Date` the caller passes
/// (the signer never reads the clock).
public struct SigV4Timestamp: Sendable, Equatable {
    /// `yyyyMMdd'T'HHmmss'Z'`, for X-Amz-Date and the string to sign.
    public let amzDate: String
    /// `yyyyMMdd`, for the credential scope and the signing key.
    public let dateStamp: String

    public init(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var bytes = [UInt8](repeating: 0, count: 16)
        func put(_ value: Int32, at index: Int, digits: Int) {
            var value = value
            for offset in stride(from: digits - 1, through: 0, by: -1) {
                bytes[index + offset] = UInt8(0x30 + value % 10)
                value /= 10
            }
        }
        put(parts.tm_year + 1900, at: 0, digits: 4)
        put(parts.tm_mon + 1, at: 4, digits: 2)
        put(parts.tm_mday, at: 6, digits: 2)
        bytes[8] = UInt8(ascii: "T")
        put(parts.tm_hour, at: 9, digits: 2)
        put(parts.tm_min, at: 11, digits: 2)
        put(parts.tm_sec, at: 13, digits: 2)
        bytes[15] = UInt8(ascii: "Z")
        amzDate = String(decoding: bytes, as: UTF8.self)
        dateStamp = String(decoding: bytes[0..<8], as: UTF8.self)
    }

    /// Parses `yyyyMMdd'T'HHmmss'Z'` or ISO 8601 `yyyy-MM-ddTHH:mm:ssZ` (as in test vectors).
    public init?(parsing text: String) {
        let digits = text.filter(\.isNumber)
        guard digits.count == 14, text.hasSuffix("Z") else { return nil }
        amzDate = String(digits.prefix(8)) + "T" + String(digits.suffix(6)) + "Z"
        dateStamp = String(digits.prefix(8))
    }
}
