import Synchronization

/// The server's view of its open connections: how many, which are idle between requests (so a
/// graceful stop can close those at once), and whether a stop has begun.
final class ConnectionRegistry: Sendable {
    private struct State {
        var sockets: [Int32: (socket: Socket, idle: Bool)] = [:]
        var stopping = false
        var drained: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    var count: Int { state.withLock { $0.sockets.count } }
    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Registers a new connection unless the cap is reached or the server is stopping.
    func admit(_ socket: Socket, limit: Int) -> Bool {
        state.withLock { state in
            guard !state.stopping, state.sockets.count < limit else { return false }
            state.sockets[socket.fileDescriptor] = (socket, false)
            return true
        }
    }

    func remove(_ socket: Socket) {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.sockets.removeValue(forKey: socket.fileDescriptor)
            guard state.sockets.isEmpty else { return [] }
            defer { state.drained.removeAll() }
            return state.drained
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Marks a connection as waiting for its next request; false if the server is stopping (the
    /// connection should close instead of waiting).
    func markIdle(_ socket: Socket) -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.sockets[socket.fileDescriptor]?.idle = true
            return true
        }
    }

    func markBusy(_ socket: Socket) {
        state.withLock { $0.sockets[socket.fileDescriptor]?.idle = false }
    }

    /// Begins stopping; returns the idle connections, to be interrupted now.
    func beginStopping() -> [Socket] {
        state.withLock { state in
            state.stopping = true
            return state.sockets.values.filter(\.idle).map(\.socket)
        }
    }

    func allSockets() -> [Socket] {
        state.withLock { $0.sockets.values.map(\.socket) }
    }

    /// Returns when no connection is left.
    func waitUntilEmpty() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let empty = state.withLock { state in
                if state.sockets.isEmpty { return true }
                state.drained.append(continuation)
                return false
            }
            if empty { continuation.resume() }
        }
    }
}
