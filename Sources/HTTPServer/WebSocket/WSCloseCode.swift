/// A close status code (RFC 6455 §7.4). A struct, not an enum, because the registry is open:
/// 3000-3999 are registered by libraries and 4000-4999 are private to applications.
public struct WSCloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let normalClosure = WSCloseCode(1000)
    public static let goingAway = WSCloseCode(1001)
    public static let protocolError = WSCloseCode(1002)
    public static let unsupportedData = WSCloseCode(1003)
    /// Never sent on the wire: reported locally when a close frame had no code (§7.1.5).
    public static let noStatusReceived = WSCloseCode(1005)
    /// Never sent on the wire: reported locally when the TCP connection dropped without a close frame.
    public static let abnormalClosure = WSCloseCode(1006)
    public static let invalidPayload = WSCloseCode(1007)
    public static let policyViolation = WSCloseCode(1008)
    public static let messageTooBig = WSCloseCode(1009)
    public static let mandatoryExtension = WSCloseCode(1010)
    public static let internalError = WSCloseCode(1011)
    /// Never sent on the wire (TLS handshake failure).
    public static let tlsHandshake = WSCloseCode(1015)

    /// Whether a peer may send this code in a close frame (RFC 6455 §7.4.1-7.4.2 and the IANA
    /// registry): 1000-1003, 1007-1011 (1012-1014 were registered later), and 3000-4999.
    /// 1004, 1005, 1006, 1015 and everything below 1000 or above 4999 are a protocol error.
    public var isValidOnWire: Bool {
        switch rawValue {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }

    public var description: String {
        let name: String
        switch self {
        case .normalClosure: name = "normal closure"
        case .goingAway: name = "going away"
        case .protocolError: name = "protocol error"
        case .unsupportedData: name = "unsupported data"
        case .noStatusReceived: name = "no status received"
        case .abnormalClosure: name = "abnormal closure"
        case .invalidPayload: name = "invalid payload data"
        case .policyViolation: name = "policy violation"
        case .messageTooBig: name = "message too big"
        case .mandatoryExtension: name = "mandatory extension"
        case .internalError: name = "internal error"
        default: name = rawValue >= 4000 ? "application" : "other"
        }
        return "\(rawValue) (\(name))"
    }
}
