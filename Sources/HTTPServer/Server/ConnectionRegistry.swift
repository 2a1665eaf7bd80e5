import Synchronization

/// The server's view of its open connections: how many in all and per client address, which are
/// idle between requests (so a graceful stop can close those at once), and whether a stop has
/// begun.
///
/// Entries are keyed by an id given at admission, not by the descriptor: a connection closes its
/// socket before it leaves the registry, and the kernel may hand the same descriptor number to
/// the next accepted client in between; keyed by number, the old entry's removal would drop the
/// new one's.
///
/// Marking a connection idle or busy, and asking whether a stop has begun, happen on every
/// request from every event loop: they use atomics (the connection's own flag, the registry's
/// stopping flag) rather than the lock and a dictionary lookup.
final class ConnectionRegistry: Sendable {
    /// Names one admitted connection for its lifetime.
    struct ID: Hashable, Sendable {
        fileprivate let value: UInt64
        /// Shared with the registry's entry: set by the connection, read by `beginStopping`.
        fileprivate let idle: IdleFlag

        static func == (lhs: ID, rhs: ID) -> Bool { lhs.value == rhs.value }
        func hash(into hasher: inout Hasher) { hasher.combine(value) }
    }

    fileprivate final class IdleFlag: Sendable {
        let value = Atomic<Bool>(false)
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
        let idle: IdleFlag
    }
    private struct State {
        var entries: [UInt64: Entry] = [:]
        var perHost: [SocketAddress.Host: Int] = [:]
        var nextID: UInt64 = 0
        var drained: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())
    /// Set once, under the lock (so `admit` never lets a connection in after it), read without it.
    private let stopping = Atomic<Bool>(false)

    var count: Int { state.withLock { $0.entries.count } }
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Connections open now from `host`.
    func count(from host: SocketAddress.Host) -> Int { state.withLock { $0.perHost[host] ?? 0 } }

    /// Registers a new connection unless the server is stopping, the total cap is reached, or
    /// `host` already holds `perHostLimit` connections (nil: no per-host cap).
    func admit(_ socket: Socket, from host: SocketAddress.Host, limit: Int,
               perHostLimit: Int?) -> Result<ID, Refusal> {
        state.withLock { state in
            if stopping.load(ordering: .relaxed) { return .failure(.stopping) }
            guard state.entries.count < limit else { return .failure(.atCapacity(limit: limit)) }
            let fromHost = state.perHost[host] ?? 0
            if let perHostLimit, fromHost >= perHostLimit { return .failure(.addressAtCapacity(limit: perHostLimit)) }
            state.nextID += 1
            let idle = IdleFlag()
            state.entries[state.nextID] = Entry(socket: socket, host: host, idle: idle)
            state.perHost[host] = fromHost + 1
            return .success(ID(value: state.nextID, idle: idle))
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
    ///
    /// Flag first, then the stop check, while `beginStopping` sets the stop first, then reads the
    /// flags (all sequentially consistent): at least one side sees the other, so a connection
    /// never waits idle through a stop that did not interrupt it.
    func markIdle(_ id: ID) -> Bool {
        id.idle.value.store(true, ordering: .sequentiallyConsistent)
        return !stopping.load(ordering: .sequentiallyConsistent)
    }

    func markBusy(_ id: ID) {
        id.idle.value.store(false, ordering: .releasing)
    }

    /// Begins stopping; returns the idle connections, to be interrupted now.
    func beginStopping() -> [Socket] {
        state.withLock { state in
            stopping.store(true, ordering: .sequentiallyConsistent)
            return state.entries.values.filter { $0.idle.value.load(ordering: .sequentiallyConsistent) }.map(\.socket)
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
