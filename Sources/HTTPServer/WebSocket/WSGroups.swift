import Synchronization

/// Connections grouped by a key (a job id, a user, a channel): a connection may join several
/// groups, and a broadcast to one group encodes the frame once for all its members.
///
/// For the results page: each browser joins the group of the upload it watches; when a result
/// arrives, `broadcast(to: jobId, ...)` reaches exactly those browsers.
public final class WSGroups<Key: Hashable & Sendable>: Sendable {
    private struct Membership {
        var members: [Key: [ObjectIdentifier: WSConnection]] = [:]
        var keysByConnection: [ObjectIdentifier: Set<Key>] = [:]
    }

    private let state = Mutex(Membership())
    private let compressBroadcasts: Bool
    /// Compressors for broadcasts, so a broadcast does not set up a zlib stream each time.
    private let deflaterPool = WSDeflaterPool(stripes: 1)

    public init(compressBroadcasts: Bool = true) {
        self.compressBroadcasts = compressBroadcasts
    }

    public func join(_ key: Key, _ connection: WSConnection) {
        let id = ObjectIdentifier(connection)
        state.withLock { state in
            state.members[key, default: [:]][id] = connection
            state.keysByConnection[id, default: []].insert(key)
        }
    }

    public func leave(_ key: Key, _ connection: WSConnection) {
        let id = ObjectIdentifier(connection)
        state.withLock { state in Self.remove(id, from: key, in: &state) }
    }

    /// Removes the connection from every group (call from `onClose`).
    public func leaveAll(_ connection: WSConnection) {
        let id = ObjectIdentifier(connection)
        state.withLock { state in
            for key in state.keysByConnection[id] ?? [] { Self.remove(id, from: key, in: &state) }
        }
    }

    public func memberCount(of key: Key) -> Int { state.withLock { $0.members[key]?.count ?? 0 } }

    /// Keys that currently have at least one member.
    public var keys: [Key] { state.withLock { Array($0.members.keys) } }

    @discardableResult
    public func broadcast(to key: Key, _ message: WSMessage) -> WSHub.BroadcastReport {
        let members = state.withLock { Array(($0.members[key] ?? [:]).values) }
        guard !members.isEmpty else { return WSHub.BroadcastReport() }
        let prepared = WSPreparedMessage(message, compress: compressBroadcasts && members.contains { $0.deflate != nil },
                                         pool: deflaterPool)
        var report = WSHub.BroadcastReport()
        for connection in members {
            switch connection.send(prepared) {
            case .enqueued: report.enqueued += 1
            case .dropped: report.dropped += 1
            case .closed, .overflowClosed:
                report.closed += 1
                leaveAll(connection)
            }
        }
        return report
    }

    private static func remove(_ id: ObjectIdentifier, from key: Key, in state: inout Membership) {
        state.members[key]?[id] = nil
        if state.members[key]?.isEmpty == true { state.members[key] = nil }
        state.keysByConnection[id]?.remove(key)
        if state.keysByConnection[id]?.isEmpty == true { state.keysByConnection[id] = nil }
    }
}
