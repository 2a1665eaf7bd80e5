import Glibc

/// Why a socket operation failed. Carries the failing call and `errno` so a log line says what to fix.
public enum SocketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed; `errno` is the value it left.
    case systemCall(String, errno: Int32)
    /// The address could not be parsed or is of an unsupported family.
    case invalidAddress(String)
    /// A read or write did not become ready before its deadline.
    case timedOut
    /// The peer closed or reset the connection.
    case disconnected
    /// The socket was closed locally (shutdown) while an operation was waiting on it.
    case closed
    /// The process may open fewer descriptors than the server would need at its connection cap.
    case openFileLimitTooLow(limit: Int, needed: Int, maxConnections: Int)

    public var description: String {
        switch self {
        case let .systemCall(call, code):
            return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case let .invalidAddress(text): return "invalid socket address '\(text)'"
        case .timedOut: return "socket operation timed out"
        case .disconnected: return "peer disconnected"
        case .closed: return "socket closed locally"
        case let .openFileLimitTooLow(limit, needed, maxConnections):
            return "the open-file limit (RLIMIT_NOFILE, \(limit)) is below the \(needed) descriptors that "
                + "\(maxConnections) connections need; raise it (ulimit -n) or lower the connection cap"
        }
    }

    /// The process or the system ran out of descriptors (EMFILE, ENFILE).
    var isDescriptorExhaustion: Bool {
        if case let .systemCall(_, code) = self { return code == EMFILE || code == ENFILE }
        return false
    }

    static func lastError(_ call: String) -> SocketError {
        .systemCall(call, errno: errno)
    }
}
