import Glibc
import Synchronization

/// One descriptor held back for the moment the process runs out of them. When `accept` fails
/// with EMFILE or ENFILE the waiting client stays in the listen backlog, unanswered, for as long
/// as the shortage lasts. Releasing the reserve lets the server accept that client, tell it 503
/// and close it, then take the reserve back, so the client learns to retry instead of hanging.
final class DescriptorReserve: Sendable {
    private enum State {
        case held(Int32)
        /// Freed for one refused client; taken back when that client's socket is closed.
        case released
        /// Could not be reopened (another thread took the descriptor first).
        case lost
    }
    private let state: Mutex<State>

    init() {
        let fd = Self.open()
        state = Mutex(fd >= 0 ? .held(fd) : .lost)
    }

    deinit {
        state.withLock { if case let .held(fd) = $0 { _ = Glibc.close(fd) } }
    }

    /// Closes the reserve so one descriptor is free; false when there is none to release (it is
    /// already lent out, or was lost: then it is retaken if a descriptor has come free).
    func release() -> Bool {
        state.withLock { state in
            switch state {
            case let .held(fd):
                _ = Glibc.close(fd)
                state = .released
                return true
            case .released:
                return false
            case .lost:
                let fd = Self.open()
                if fd >= 0 { state = .held(fd) }
                return false
            }
        }
    }

    /// Takes the reserve back once the descriptor it lent out is closed.
    func retake() {
        state.withLock { state in
            guard case .released = state else { return }
            let fd = Self.open()
            state = fd >= 0 ? .held(fd) : .lost
        }
    }

    private static func open() -> Int32 {
        Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC)
    }
}

/// Process limits a server needs raised or checked.
enum ResourceLimits {
    /// Descriptors a server needs besides one per connection: listeners, the epoll instance, the
    /// reserve, files being sent, logs, and the application's own (spool files, upstream sockets).
    static let descriptorsBesideConnections = 32

    /// Raises the soft open-file limit to the hard limit: every connection is a descriptor, and
    /// the common soft default (1024) is below a busy server's needs. Returns the limit now in force.
    @discardableResult
    static func raiseOpenFileLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur == rlim_t.max ? nil : Int(clamping: limit.rlim_cur) // rlim_t.max: RLIM_INFINITY
    }

    /// Refuses a connection cap the open-file limit cannot honour: without this check the server
    /// starts, then fails under load with EMFILE at accept, in a log line far from the cause.
    static func checkOpenFileLimit(maxConnections: Int) throws(SocketError) {
        guard let limit = raiseOpenFileLimit() else { return }
        let needed = maxConnections + descriptorsBesideConnections
        if limit < needed { throw .openFileLimitTooLow(limit: limit, needed: needed, maxConnections: maxConnections) }
    }
}
