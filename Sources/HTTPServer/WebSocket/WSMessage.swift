/// A complete application message, reassembled from its fragments (and inflated if compressed).
public enum WSMessage: Sendable, Equatable {
    case text(String)
    case binary([UInt8])

    /// The payload as sent on the wire (before compression).
    public var payload: [UInt8] {
        switch self {
        case .text(let string): return Array(string.utf8)
        case .binary(let bytes): return bytes
        }
    }

    public var opcode: WSOpcode {
        switch self {
        case .text: return .text
        case .binary: return .binary
        }
    }
}

/// What the assembler reports for each frame that completes something.
public enum WSEvent: Sendable, Equatable {
    case message(WSMessage)
    case ping([UInt8])
    case pong([UInt8])
    /// The peer's close frame: its code (nil when it sent none, reported as 1005) and reason.
    case close(code: WSCloseCode?, reason: String)
}
