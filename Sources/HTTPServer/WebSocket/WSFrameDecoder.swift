/// Turns a byte stream, split anywhere, into validated frames (RFC 6455 §5.2).
///
/// Pure: no socket. Feed bytes with `append`, then call `nextFrame()` until it returns nil.
/// Header rules (mask, RSV, opcode, control-frame limits, length encoding, size limit) are
/// checked as soon as the header is complete, so an oversized frame is refused before its
/// payload is buffered. Message-level rules (fragmentation, UTF-8) live in `WSMessageAssembler`.
public struct WSFrameDecoder: Sendable {
    public struct Configuration: Sendable {
        /// Servers require masked frames from clients; a client-side decoder requires unmasked ones.
        public var role: Role
        /// Largest payload accepted in one frame; larger ones fail with `messageTooBig` (1009).
        public var maxFramePayload: Int
        /// Set when permessage-deflate is negotiated: RSV1 then marks a compressed message.
        public var allowsRSV1: Bool

        public init(role: Role = .server, maxFramePayload: Int = 16 << 20, allowsRSV1: Bool = false) {
            self.role = role
            self.maxFramePayload = maxFramePayload
            self.allowsRSV1 = allowsRSV1
        }
    }

    /// Which end of the connection this decoder reads for.
    public enum Role: Sendable { case server, client }

    public var configuration: Configuration
    private var buffer: [UInt8] = []
    private var readIndex = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Bytes received but not yet consumed by a frame.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil when more bytes are needed.
    /// After an error the stream is unusable: the connection must be failed with `error.closeCode`.
    public mutating func nextFrame() throws(WSProtocolError) -> WSFrame? {
        let available = buffer.count - readIndex
        guard available >= 2 else { return nil }
        let first = buffer[readIndex]
        let second = buffer[readIndex + 1]

        let fin = first & 0x80 != 0
        let rsv1 = first & 0x40 != 0, rsv2 = first & 0x20 != 0, rsv3 = first & 0x10 != 0
        if rsv2 || rsv3 || (rsv1 && !configuration.allowsRSV1) {
            throw .reservedBitsSet(rsv1: rsv1, rsv2: rsv2, rsv3: rsv3)
        }
        guard let opcode = WSOpcode(rawValue: first & 0x0F) else { throw .reservedOpcode(first & 0x0F) }
        let masked = second & 0x80 != 0
        switch configuration.role {
        case .server where !masked: throw .unmaskedClientFrame
        case .client where masked: throw .maskedServerFrame
        default: break
        }

        let shortLength = second & 0x7F
        var headerLength = 2
        let payloadLength: UInt64
        switch shortLength {
        case 126:
            guard available >= 4 else { return nil }
            payloadLength = UInt64(buffer[readIndex + 2]) << 8 | UInt64(buffer[readIndex + 3])
            headerLength = 4
            if payloadLength < 126 { throw .nonMinimalLength(payloadLength) }
        case 127:
            guard available >= 10 else { return nil }
            var length: UInt64 = 0
            for index in 0..<8 { length = length << 8 | UInt64(buffer[readIndex + 2 + index]) }
            if length & (1 << 63) != 0 { throw .lengthMostSignificantBitSet }
            if length <= 0xFFFF { throw .nonMinimalLength(length) }
            payloadLength = length
            headerLength = 10
        default:
            payloadLength = UInt64(shortLength)
        }

        if opcode.isControl {
            if payloadLength > UInt64(WSFrame.maxControlPayload) { throw .controlFrameTooLong(Int(clamping: payloadLength)) }
            if !fin { throw .controlFrameFragmented(opcode) }
        } else if payloadLength > UInt64(configuration.maxFramePayload) {
            throw .messageTooBig(size: payloadLength, limit: configuration.maxFramePayload)
        }

        let maskOffset = headerLength
        if masked { headerLength += 4 }
        let length = Int(payloadLength)
        guard available >= headerLength + length else { return nil }

        let payloadStart = readIndex + headerLength
        var payload = Array(buffer[payloadStart ..< payloadStart + length])
        if masked {
            let keyStart = readIndex + maskOffset
            let key = (buffer[keyStart], buffer[keyStart + 1], buffer[keyStart + 2], buffer[keyStart + 3])
            WSMasking.apply(key: key, to: &payload)
        }
        readIndex = payloadStart + length
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        return WSFrame(fin: fin, rsv1: rsv1, rsv2: rsv2, rsv3: rsv3, opcode: opcode, payload: payload)
    }

    /// Drops consumed bytes once they are the larger part of the buffer, so appends stay amortised O(n).
    private mutating func compactIfWorthwhile() {
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
    }
}
