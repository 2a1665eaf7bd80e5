/// Why a peer's bytes broke the WebSocket protocol. Each case names the rule it broke and maps to
/// the close code the connection answers with before failing (RFC 6455 §7.1.7).
public enum WSProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A client frame arrived without the mask bit (§5.1: the server must fail the connection).
    case unmaskedClientFrame
    /// A server frame arrived masked (§5.1), seen only by client-side decoders.
    case maskedServerFrame
    /// RSV1-3 set without an extension that defines them (§5.2).
    case reservedBitsSet(rsv1: Bool, rsv2: Bool, rsv3: Bool)
    case reservedOpcode(UInt8)
    /// The 64-bit length had its most significant bit set (§5.2).
    case lengthMostSignificantBitSet
    /// A length was not in its minimal encoding (126 for <=125 etc.); allowed by many peers but
    /// §5.2 says "the minimal number of bytes MUST be used", so we reject it.
    case nonMinimalLength(UInt64)
    case controlFrameTooLong(Int)
    case controlFrameFragmented(WSOpcode)
    /// A continuation frame arrived with no message in progress.
    case unexpectedContinuation
    /// A text/binary frame started while a fragmented message was still open.
    case messageInterrupted(by: WSOpcode)
    /// A frame or message exceeded the configured limit (answered with 1009).
    case messageTooBig(size: UInt64, limit: Int)
    case invalidUTF8
    case invalidCloseCode(UInt16)
    /// A close payload of exactly one byte cannot hold a code (§5.5.1).
    case closePayloadTooShort
    case invalidCloseReasonUTF8
    /// RSV1 on a continuation or control frame, or an inflate failure (RFC 7692 §6).
    case compressionError(String)

    /// The close code to send when failing the connection for this error.
    public var closeCode: WSCloseCode {
        switch self {
        case .messageTooBig: return .messageTooBig
        case .invalidUTF8, .invalidCloseReasonUTF8: return .invalidPayload
        default: return .protocolError
        }
    }

    public var description: String {
        switch self {
        case .unmaskedClientFrame: return "client frame not masked (RFC 6455 §5.1)"
        case .maskedServerFrame: return "server frame masked (RFC 6455 §5.1)"
        case let .reservedBitsSet(r1, r2, r3): return "reserved bits set without an extension (rsv1=\(r1) rsv2=\(r2) rsv3=\(r3))"
        case let .reservedOpcode(op): return "reserved opcode 0x\(String(op, radix: 16))"
        case .lengthMostSignificantBitSet: return "64-bit payload length with the most significant bit set"
        case let .nonMinimalLength(n): return "payload length \(n) not minimally encoded"
        case let .controlFrameTooLong(n): return "control frame payload of \(n) bytes (limit 125)"
        case let .controlFrameFragmented(op): return "fragmented control frame (\(op))"
        case .unexpectedContinuation: return "continuation frame without a message in progress"
        case let .messageInterrupted(op): return "\(op) frame started inside a fragmented message"
        case let .messageTooBig(size, limit): return "message of at least \(size) bytes exceeds the limit of \(limit)"
        case .invalidUTF8: return "text message is not valid UTF-8"
        case let .invalidCloseCode(code): return "close code \(code) may not be sent"
        case .closePayloadTooShort: return "close payload of 1 byte"
        case .invalidCloseReasonUTF8: return "close reason is not valid UTF-8"
        case let .compressionError(why): return "permessage-deflate: \(why)"
        }
    }
}
