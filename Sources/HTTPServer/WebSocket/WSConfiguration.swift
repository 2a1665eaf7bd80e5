/// Limits and timers for one WebSocket connection. Plain values with defaults suited to the
/// results page (small JSON messages, many idle browsers).
public struct WSConfiguration: Sendable {
    /// Inbound message and frame size limits (1009 beyond).
    public var limits: WSInbound.Limits
    /// Bytes of outgoing frames (pongs and closes included) that may wait for a slow client before
    /// `overflowPolicy` applies; a control frame that does not fit closes the connection (1008).
    public var maxQueuedBytes: Int
    public var overflowPolicy: WSOverflowPolicy
    /// With nothing received for this long we send a ping (keeps NATs open, detects dead peers).
    public var pingInterval: Duration
    /// After a ping, a peer that sends nothing for this long is closed (1001 "idle timeout").
    public var pongTimeout: Duration
    /// How long we wait for the peer's close frame (or for our close to flush) before dropping TCP.
    public var closeTimeout: Duration
    /// A single socket write blocked longer than this means the peer stopped reading.
    public var writeTimeout: Duration
    /// Messages shorter than this are sent uncompressed even when permessage-deflate is on.
    public var compressionThreshold: Int

    public init(limits: WSInbound.Limits = .init(), maxQueuedBytes: Int = 4 << 20,
                overflowPolicy: WSOverflowPolicy = .close, pingInterval: Duration = .seconds(30),
                pongTimeout: Duration = .seconds(30), closeTimeout: Duration = .seconds(5),
                writeTimeout: Duration = .seconds(30), compressionThreshold: Int = 64) {
        self.limits = limits
        self.maxQueuedBytes = maxQueuedBytes
        self.overflowPolicy = overflowPolicy
        self.pingInterval = pingInterval
        self.pongTimeout = pongTimeout
        self.closeTimeout = closeTimeout
        self.writeTimeout = writeTimeout
        self.compressionThreshold = compressionThreshold
    }
}

/// What to do when a client reads slower than we send and the outgoing queue is full.
public enum WSOverflowPolicy: Sendable {
    /// Close the connection with 1008 (policy violation): the client will reconnect and resync.
    case close
    /// Drop the message that does not fit and keep the connection (for lossy streams like progress ticks).
    case dropMessage
}

/// The outcome of a send, so a broadcaster can count slow or gone clients.
public enum WSSendResult: Sendable, Equatable {
    case enqueued
    /// The queue was full and the policy dropped this message.
    case dropped
    /// The queue was full and the policy closed the connection (1008).
    case overflowClosed
    /// The connection is closing or closed; nothing was queued.
    case closed
}

extension WSConfiguration {
    /// For routes that only push to the client and ignore what it sends (job progress, fleet
    /// snapshots): inbound messages and frames are capped at 4 KiB, so a client cannot make the
    /// server buffer megabytes it would throw away; a bigger frame is refused with 1009 from its
    /// header, before its payload is read.
    public static var serverPush: WSConfiguration { WSConfiguration(limits: .init(maxMessageSize: 4 << 10)) }
}
