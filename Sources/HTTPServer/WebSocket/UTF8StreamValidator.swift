/// Validates UTF-8 incrementally, so a text message split across frames or reads at any byte is
/// checked as it arrives (RFC 6455 §8.1: fail fast with 1007) without buffering for the check.
///
/// Rejects what RFC 3629 rejects: overlong forms, surrogates (U+D800-DFFF), code points above
/// U+10FFFF, stray continuation bytes and 0xC0, 0xC1, 0xF5-0xFF. ASCII runs go 8 bytes at a time.
public struct UTF8StreamValidator: Sendable {
    /// Continuation bytes still expected for the current sequence.
    private var remaining = 0
    /// Allowed range of the next continuation byte; narrower than 0x80-0xBF right after
    /// E0, ED, F0 and F4, which is how overlongs, surrogates and > U+10FFFF are excluded.
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    public init() {}

    /// True when no multi-byte sequence is open (a message may end here).
    public var isAtBoundary: Bool { remaining == 0 }

    public mutating func reset() { remaining = 0; lower = 0x80; upper = 0xBF }

    /// Consumes `bytes`; false at the first byte that cannot be valid UTF-8.
    public mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        while index < count {
            if remaining == 0 {
                // Fast path: skip whole words of ASCII.
                while index + 8 <= count,
                      base.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                }
                guard index < count else { break }
                let byte = base.load(fromByteOffset: index, as: UInt8.self)
                index += 1
                switch byte {
                case 0x00...0x7F: continue
                case 0xC2...0xDF: remaining = 1; lower = 0x80; upper = 0xBF
                case 0xE0: remaining = 2; lower = 0xA0; upper = 0xBF
                case 0xE1...0xEC, 0xEE...0xEF: remaining = 2; lower = 0x80; upper = 0xBF
                case 0xED: remaining = 2; lower = 0x80; upper = 0x9F
                case 0xF0: remaining = 3; lower = 0x90; upper = 0xBF
                case 0xF1...0xF3: remaining = 3; lower = 0x80; upper = 0xBF
                case 0xF4: remaining = 3; lower = 0x80; upper = 0x8F
                default: return false
                }
            } else {
                let byte = base.load(fromByteOffset: index, as: UInt8.self)
                index += 1
                guard byte >= lower && byte <= upper else { return false }
                remaining -= 1
                lower = 0x80
                upper = 0xBF
            }
        }
        return true
    }

    public mutating func validate(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { validate($0) }
    }

    /// Validates a complete buffer (it must end on a character boundary).
    public static func isValid(_ bytes: [UInt8]) -> Bool {
        var validator = UTF8StreamValidator()
        return validator.validate(bytes) && validator.isAtBoundary
    }
}
