/// The frame types of RFC 6455 §5.2; `0x3-0x7` and `0xB-0xF` are reserved and rejected.
public enum WSOpcode: UInt8, Sendable, CaseIterable {
    case continuation = 0x0
    case text = 0x1
    case binary = 0x2
    case close = 0x8
    case ping = 0x9
    case pong = 0xA

    /// Control frames (close, ping, pong) have the high opcode bit set (RFC 6455 §5.5).
    public var isControl: Bool { rawValue & 0x8 != 0 }
}

/// One WebSocket frame as it travels on the wire, with its payload already unmasked.
public struct WSFrame: Sendable, Equatable {
    public var fin: Bool
    /// RSV1 marks a compressed message when permessage-deflate is negotiated (RFC 7692 §6).
    public var rsv1: Bool
    public var rsv2: Bool
    public var rsv3: Bool
    public var opcode: WSOpcode
    public var payload: [UInt8]

    public init(fin: Bool = true, rsv1: Bool = false, rsv2: Bool = false, rsv3: Bool = false,
                opcode: WSOpcode, payload: [UInt8] = []) {
        self.fin = fin
        self.rsv1 = rsv1
        self.rsv2 = rsv2
        self.rsv3 = rsv3
        self.opcode = opcode
        self.payload = payload
    }

    public static func text(_ string: String, fin: Bool = true) -> WSFrame {
        WSFrame(fin: fin, opcode: .text, payload: Array(string.utf8))
    }

    public static func binary(_ bytes: [UInt8], fin: Bool = true) -> WSFrame {
        WSFrame(fin: fin, opcode: .binary, payload: bytes)
    }

    public static func ping(_ bytes: [UInt8] = []) -> WSFrame { WSFrame(opcode: .ping, payload: bytes) }
    public static func pong(_ bytes: [UInt8] = []) -> WSFrame { WSFrame(opcode: .pong, payload: bytes) }

    /// A close frame: the 2-byte code in network order followed by the UTF-8 reason (RFC 6455 §5.5.1).
    /// The reason is truncated on a character boundary so the payload stays within 125 bytes.
    public static func close(_ code: WSCloseCode, reason: String = "") -> WSFrame {
        var payload: [UInt8] = [UInt8(code.rawValue >> 8), UInt8(code.rawValue & 0xFF)]
        var reasonBytes = 0
        for scalar in reason.unicodeScalars {
            let width = String(scalar).utf8.count
            guard reasonBytes + width <= WSFrame.maxControlPayload - 2 else { break }
            payload.append(contentsOf: String(scalar).utf8)
            reasonBytes += width
        }
        return WSFrame(opcode: .close, payload: payload)
    }

    /// An empty close frame: no status code at all ("1005 no status received" for the peer).
    public static var closeWithoutCode: WSFrame { WSFrame(opcode: .close) }

    /// Control frames carry at most 125 payload bytes (RFC 6455 §5.5).
    public static let maxControlPayload = 125
}
