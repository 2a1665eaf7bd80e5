import Synchronization

/// The server's view of its open connections: how many in all and per client address, which are
/// idle between requests (so a graceful stop can close those at once), and whether a stop has
/// begun.
///
/// Entries are keyed by an id given at admission, not by the descriptor: a connection closes its
/// socket before it leaves the registry, and the kernel may hand the same descriptor number to
/// the next accepted client in between; keyed by number, the old entry's removal would drop the
/// new one's.
final class ConnectionRegistry: Sendable {
    /// Names one admitted connection for its lifetime.
    struct ID: Hashable, Sendable {
        fileprivate let value: UInt64
    }

    /// Why a connection was refused (by `admit`, or by the server when out of descriptors).
    enum Refusal: Error, Equatable {
        case stopping
        case atCapacity(limit: Int)
        case addressAtCapacity(limit: Int)
        case outOfDescriptors
    }

    private struct Entry {
        let socket: Socket
        let host: SocketAddress.Host
        var idle: Bool
    }
    private struct State {
        var entries: [UInt64: Entry] = [:]
        var perHost: [SocketAddress.Host: Int] = [:]
        var nextID: UInt64 = 0
        var stopping = false
        var drained: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    var count: Int { state.withLock { $0.entries.count } }
    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Connections open now from `host`.
    func count(from host: SocketAddress.Host) -> Int { state.withLock { $0.perHost[host] ?? 0 } }

    /// Registers a new connection unless the server is stopping, the total cap is reached, or
    /// `host` already holds `perHostLimit` connections (nil: no per-host cap).
    func admit(_ socket: Socket, from host: SocketAddress.Host, limit: Int,
               perHostLimit: Int?) -> Result<ID, Refusal> {
        state.withLock { state in
            if state.stopping { return .failure(.stopping) }
            guard state.entries.count < limit else { return .failure(.atCapacity(limit: limit)) }
            let fromHost = state.perHost[host] ?? 0
            if let perHostLimit, fromHost >= perHostLimit { return .failure(.addressAtCapacity(limit: perHostLimit)) }
            state.nextID += 1
            state.entries[state.nextID] = Entry(socket: socket, host: host, idle: false)
            state.perHost[host] = fromHost + 1
            return .success(ID(value: state.nextID))
        }
    }

    func remove(_ id: ID) {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            guard let entry = state.entries.removeValue(forKey: id.value) else { return [] }
            let remaining = (state.perHost[entry.host] ?? 1) - 1
            state.perHost[entry.host] = remaining > 0 ? remaining : nil
            guard state.entries.isEmpty else { return [] }
            defer { state.drained.removeAll() }
            return state.drained
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Marks a connection as waiting for its next request; false if the server is stopping (the
    /// connection should close instead of waiting).
    func markIdle(_ id: ID) -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.entries[id.value]?.idle = true
            return true
        }
    }

    func markBusy(_ id: ID) {
        state.withLock { $0.entries[id.value]?.idle = false }
    }

    /// Begins stopping; returns the idle connections, to be interrupted now.
    func beginStopping() -> [Socket] {
        state.withLock { state in
            state.stopping = true
            return state.entries.values.filter(\.idle).map(\.socket)
        }
    }

    func allSockets() -> [Socket] {
        state.withLock { $0.entries.values.map(\.socket) }
    }

    /// Returns when no connection is left.
    func waitUntilEmpty() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let empty = state.withLock { state in
                if state.entries.isEmpty { return true }
                state.drained.append(continuation)
                return false
            }
            if empty { continuation.resume() }
        }
    }
}
