/// Enforces the message-level rules of RFC 6455 §5.4-5.5 on decoded frames and reassembles
/// fragments into messages.
///
/// - a continuation needs an open message; a new text/binary frame may not interrupt one;
/// - control frames may arrive between fragments and are reported at once;
/// - text is validated as UTF-8 incrementally, so a bad byte fails before the message ends (1007);
/// - the total size is capped (1009), including after inflating a compressed message (zip bombs);
/// - close payloads are checked: no 1-byte payload, a sendable code, a UTF-8 reason.
public struct WSMessageAssembler {
    public let maxMessageSize: Int
    private let inflater: WSInflater?

    private var openOpcode: WSOpcode?
    private var openIsCompressed = false
    private var parts: [UInt8] = []
    private var utf8 = UTF8StreamValidator()

    /// - Parameter inflater: present when permessage-deflate was negotiated.
    public init(maxMessageSize: Int = 16 << 20, inflater: WSInflater? = nil) {
        self.maxMessageSize = maxMessageSize
        self.inflater = inflater
    }

    /// Whether a fragmented message is in progress.
    public var isInsideMessage: Bool { openOpcode != nil }

    /// Payload bytes of the open message received so far (compressed bytes if it is compressed).
    public var bufferedMessageBytes: Int { parts.count }

    /// Feeds one frame; returns an event when the frame completes a message or is a control frame.
    public mutating func receive(_ frame: WSFrame) throws(WSProtocolError) -> WSEvent? {
        if frame.opcode.isControl {
            if frame.rsv1 { throw .compressionError("RSV1 set on a control frame") }
            return try controlEvent(frame)
        }
        switch frame.opcode {
        case .continuation:
            guard openOpcode != nil else { throw .unexpectedContinuation }
            // RFC 7692 §6.1: only the first frame of a message carries RSV1.
            if frame.rsv1 { throw .compressionError("RSV1 set on a continuation frame") }
        default:
            if openOpcode != nil { throw .messageInterrupted(by: frame.opcode) }
            if frame.rsv1 && inflater == nil { throw .reservedBitsSet(rsv1: true, rsv2: false, rsv3: false) }
            openOpcode = frame.opcode
            openIsCompressed = frame.rsv1
            parts.removeAll(keepingCapacity: true)
            utf8.reset()
        }

        let newSize = parts.count + frame.payload.count
        if newSize > maxMessageSize {
            throw .messageTooBig(size: UInt64(newSize), limit: maxMessageSize)
        }
        // Uncompressed text is checked as it arrives; compressed text once inflated.
        if openOpcode == .text && !openIsCompressed && !utf8.validate(frame.payload) {
            throw .invalidUTF8
        }
        parts.append(contentsOf: frame.payload)
        guard frame.fin, let opcode = openOpcode else { return nil }

        openOpcode = nil
        var payload = parts
        parts = []
        if openIsCompressed, let inflater {
            payload = try inflater.inflateMessage(payload, limit: maxMessageSize)
            if opcode == .text && !UTF8StreamValidator.isValid(payload) { throw .invalidUTF8 }
        } else if opcode == .text && !utf8.isAtBoundary {
            throw .invalidUTF8
        }
        if opcode == .text {
            // Validated above, so decoding cannot substitute replacement characters.
            return .message(.text(String(decoding: payload, as: UTF8.self)))
        }
        return .message(.binary(payload))
    }

    private func controlEvent(_ frame: WSFrame) throws(WSProtocolError) -> WSEvent {
        switch frame.opcode {
        case .ping: return .ping(frame.payload)
        case .pong: return .pong(frame.payload)
        default: return try Self.parseClose(frame.payload)
        }
    }

    /// Parses a close payload (RFC 6455 §5.5.1, §7.4).
    public static func parseClose(_ payload: [UInt8]) throws(WSProtocolError) -> WSEvent {
        if payload.isEmpty { return .close(code: nil, reason: "") }
        if payload.count == 1 { throw .closePayloadTooShort }
        let code = WSCloseCode(UInt16(payload[0]) << 8 | UInt16(payload[1]))
        guard code.isValidOnWire else { throw .invalidCloseCode(code.rawValue) }
        let reasonBytes = Array(payload[2...])
        guard UTF8StreamValidator.isValid(reasonBytes) else { throw .invalidCloseReasonUTF8 }
        return .close(code: code, reason: String(decoding: reasonBytes, as: UTF8.self))
    }
}
