import Synchronization

/// A group of connections that receive the same broadcasts (e.g. everyone watching one job).
///
/// A broadcast encodes the frame once (and compresses it once) and queues the same buffer on
/// every member; a slow member only fills its own bounded queue.
public final class WSHub: Sendable {
    private let members = Mutex<[ObjectIdentifier: WSConnection]>([:])
    private let compressBroadcasts: Bool
    /// Compressors for broadcasts, so a broadcast does not set up a zlib stream each time.
    private let deflaterPool = WSDeflaterPool(stripes: 1)

    /// - Parameter compressBroadcasts: prepare a compressed frame for deflate-capable members.
    public init(compressBroadcasts: Bool = true) {
        self.compressBroadcasts = compressBroadcasts
    }

    public func add(_ connection: WSConnection) {
        members.withLock { $0[ObjectIdentifier(connection)] = connection }
    }

    public func remove(_ connection: WSConnection) {
        _ = members.withLock { $0.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    public var count: Int { members.withLock { $0.count } }

    /// What happened to one broadcast, per member.
    public struct BroadcastReport: Sendable, Equatable {
        public var enqueued = 0
        public var dropped = 0
        public var closed = 0
    }

    /// Sends `message` to every member; closed members are removed.
    @discardableResult
    public func broadcast(_ message: WSMessage) -> BroadcastReport {
        let anyCompressed = compressBroadcasts && members.withLock { $0.values.contains { $0.deflate != nil } }
        return broadcast(WSPreparedMessage(message, compress: anyCompressed, pool: deflaterPool))
    }

    @discardableResult
    public func broadcast(_ prepared: WSPreparedMessage) -> BroadcastReport {
        // Send outside the hub lock: a member's send takes that member's lock.
        let snapshot = members.withLock { Array($0.values) }
        var report = BroadcastReport()
        for connection in snapshot {
            switch connection.send(prepared) {
            case .enqueued: report.enqueued += 1
            case .dropped: report.dropped += 1
            case .closed, .overflowClosed:
                report.closed += 1
                remove(connection)
            }
        }
        return report
    }

    /// Starts the closing handshake on every member (e.g. 1001 before the server stops).
    public func closeAll(_ code: WSCloseCode = .goingAway, reason: String = "") {
        for connection in members.withLock({ Array($0.values) }) { connection.close(code, reason: reason) }
    }
}
