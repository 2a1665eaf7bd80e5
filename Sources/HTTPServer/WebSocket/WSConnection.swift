import Synchronization

/// One open WebSocket connection: the socket after the 101, a reader, a writer and a bounded
/// outgoing queue.
///
/// `send`, `ping` and `close` may be called from any thread or task and never wait: frames are
/// encoded at once and queued; one writer task drains the queue in order, so frames never
/// interleave. A client that reads slower than we send fills the queue up to
/// `maxQueuedBytes`; then `overflowPolicy` closes it (1008) or drops the message, so a slow
/// consumer cannot make the server buffer without bound. Control frames count too: a pong that
/// does not fit closes the connection (it cannot be dropped), and a peer's pings never queue more
/// than one pong (RFC 6455 §5.5.3 lets us answer only the latest), so a client that pings without
/// reading holds one small frame, not one per ping.
public final class WSConnection: Sendable {
    /// The subprotocol agreed in the handshake, if any.
    public let subprotocol: String?
    /// permessage-deflate parameters when compression was negotiated.
    public let deflate: WSDeflateParameters?
    /// The peer, for logs.
    public let remoteAddress: String
    /// The request path that opened the connection (e.g. "/ws/results").
    public let path: String

    let transport: any WSTransport
    let configuration: WSConfiguration
    let outgoing: Mutex<Outgoing>
    /// Shared compressors for `server_no_context_takeover` connections (see `WSDeflaterPool`).
    let deflaterPool: WSDeflaterPool?

    struct Outgoing: ~Copyable {
        var frames: [[UInt8]] = []
        /// Bytes in `frames` plus the batch the writer is sending now.
        var queuedBytes = 0
        /// The most `queuedBytes` has been (a high-water mark for tests and diagnostics).
        var peakQueuedBytes = 0
        /// Index in `frames` of a pong the writer has not taken yet: a newer ping replaces it.
        var pendingPong: Int?
        /// The writer task, parked while the queue is empty.
        var writerWaiting: CheckedContinuation<Void, Never>?
        var state: State = .open
        /// Own compressor, created on the first compressed send, only when no shared pool applies
        /// (context takeover: the compressor's history is this connection's).
        var deflater: WSDeflater?
    }

    enum State: Equatable {
        case open
        /// Our close frame is queued; nothing but it may follow.
        case closeQueued
        /// The writer must stop once the queue is flushed.
        case finished
    }

    public init(transport: any WSTransport, configuration: WSConfiguration = .init(),
                subprotocol: String? = nil, deflate: WSDeflateParameters? = nil,
                remoteAddress: String = "-", path: String = "/", deflaterPool: WSDeflaterPool? = nil) {
        self.transport = transport
        self.deflaterPool = deflate.flatMap { parameters in
            parameters.serverNoContextTakeover && parameters.serverMaxWindowBits == deflaterPool?.windowBits ? deflaterPool : nil
        }
        self.configuration = configuration
        self.subprotocol = subprotocol
        self.deflate = deflate
        self.remoteAddress = remoteAddress
        self.path = path
        self.outgoing = Mutex(Outgoing())
    }

    /// Whether messages can still be sent (false once a close frame is queued).
    public var isOpen: Bool { outgoing.withLock { $0.state == .open } }

    /// Bytes queued and not yet handed to the socket.
    public var queuedBytes: Int { outgoing.withLock { $0.queuedBytes } }

    /// The most bytes that were ever queued at once on this connection.
    public var peakQueuedBytes: Int { outgoing.withLock { $0.peakQueuedBytes } }

    // MARK: Sending (any thread)

    @discardableResult
    public func send(_ message: WSMessage) -> WSSendResult {
        let payload = message.payload
        let compress = deflate != nil && payload.count >= configuration.compressionThreshold
        // Messages compress independently with a pool, so that work happens outside our lock.
        if compress, let pool = deflaterPool, let compressed = pool.compressMessage(payload) {
            let frame = WSFrameEncoder.encode(WSFrame(rsv1: true, opcode: message.opcode, payload: compressed))
            return enqueue(isControl: false, size: frame.count) { _ in frame }
        }
        // The limit is checked against the uncompressed frame size before encoding: with context
        // takeover, a message compressed and then dropped would desynchronise the client's inflater.
        return enqueue(isControl: false, size: WSFrameEncoder.frameSize(payloadLength: payload.count)) { outgoing in
            guard compress, let deflate else {
                return WSFrameEncoder.encode(WSFrame(opcode: message.opcode, payload: payload))
            }
            if outgoing.deflater == nil {
                outgoing.deflater = try? WSDeflater(windowBits: deflate.serverMaxWindowBits,
                                                    noContextTakeover: deflate.serverNoContextTakeover)
            }
            guard let deflater = outgoing.deflater else {
                return WSFrameEncoder.encode(WSFrame(opcode: message.opcode, payload: payload))
            }
            // RFC 7692 §6: RSV1 on the first (here: only) frame marks the message compressed.
            return WSFrameEncoder.encode(WSFrame(rsv1: true, opcode: message.opcode,
                                                 payload: deflater.compressMessage(payload)))
        }
    }

    @discardableResult
    public func send(text: String) -> WSSendResult { send(.text(text)) }

    @discardableResult
    public func send(binary: [UInt8]) -> WSSendResult { send(.binary(binary)) }

    /// Sends a message already encoded once for many connections (see `WSHub`), without copying it.
    @discardableResult
    public func send(_ prepared: WSPreparedMessage) -> WSSendResult {
        let frame = prepared.frame(for: deflate)
        return enqueue(isControl: false, size: frame.count) { _ in frame }
    }

    /// Sends a ping; the peer answers with a pong carrying the same bytes (<= 125).
    @discardableResult
    public func ping(_ payload: [UInt8] = []) -> WSSendResult {
        let frame = WSFrameEncoder.encode(.ping(Array(payload.prefix(WSFrame.maxControlPayload))))
        return enqueue(isControl: true, size: frame.count) { _ in frame }
    }

    /// Answers a peer's ping. While an earlier pong still waits in the queue, the new one takes
    /// its place (RFC 6455 §5.5.3: a pong for the most recent ping suffices), so a ping flood from
    /// a peer that does not read holds one pong, not one per ping.
    @discardableResult
    func answerPing(_ payload: [UInt8]) -> WSSendResult {
        let frame = WSFrameEncoder.encode(.pong(payload))
        let replaced: Bool = outgoing.withLock { outgoing in
            guard outgoing.state == .open, let index = outgoing.pendingPong else { return false }
            let growth = frame.count - outgoing.frames[index].count
            // A longer pong that does not fit takes the enqueue path, which closes the connection.
            guard outgoing.queuedBytes + growth <= configuration.maxQueuedBytes else { return false }
            outgoing.queuedBytes += growth
            outgoing.peakQueuedBytes = max(outgoing.peakQueuedBytes, outgoing.queuedBytes)
            outgoing.frames[index] = frame
            return true
        }
        if replaced { return .enqueued }
        return enqueue(isControl: true, size: frame.count, isPong: true) { _ in frame }
    }

    /// Starts the closing handshake: queues a close frame; the connection ends when the peer
    /// answers with its close frame, or after `closeTimeout`.
    public func close(_ code: WSCloseCode = .normalClosure, reason: String = "") {
        if queueClose(code, reason: reason) { scheduleForcedClose() }
    }

    // MARK: Queue

    /// Checks the limit against `size` (at least the frame's size), then encodes under the lock
    /// (the deflater's state must follow queue order) and queues.
    /// Control frames count against the limit like data, but are never dropped: a pong or ping
    /// that does not fit closes the connection whatever the policy (a peer whose queue is full of
    /// our frames is not reading).
    func enqueue(isControl: Bool, size: Int, isPong: Bool = false, encode: (inout Outgoing) -> [UInt8]) -> WSSendResult {
        var overflowed = false
        let result: WSSendResult = outgoing.withLock { outgoing in
            guard outgoing.state == .open else { return .closed }
            if outgoing.queuedBytes + size > configuration.maxQueuedBytes {
                if !isControl && configuration.overflowPolicy == .dropMessage { return .dropped }
                // The peer is not reading, so it will not read the close frame either: drop
                // what is queued, queue the close, and force TCP shut after closeTimeout. The
                // batch the writer holds stays counted until its write ends.
                outgoing.queuedBytes -= outgoing.frames.reduce(0) { $0 + $1.count }
                outgoing.frames.removeAll()
                outgoing.pendingPong = nil
                Self.appendClose(&outgoing, .policyViolation, reason: "outgoing queue full (slow consumer)")
                overflowed = true
                return .overflowClosed
            }
            let bytes = encode(&outgoing)
            if isPong { outgoing.pendingPong = outgoing.frames.count }
            outgoing.frames.append(bytes)
            outgoing.queuedBytes += bytes.count
            outgoing.peakQueuedBytes = max(outgoing.peakQueuedBytes, outgoing.queuedBytes)
            Self.wakeWriter(&outgoing)
            return .enqueued
        }
        if overflowed { scheduleForcedClose() }
        return result
    }

    /// Queues our close frame once; returns false if one was already queued.
    @discardableResult
    func queueClose(_ code: WSCloseCode?, reason: String) -> Bool {
        outgoing.withLock { outgoing in
            guard outgoing.state == .open else { return false }
            Self.appendClose(&outgoing, code, reason: reason)
            return true
        }
    }

    private static func appendClose(_ outgoing: inout Outgoing, _ code: WSCloseCode?, reason: String) {
        let frame = code.map { WSFrameEncoder.encode(.close($0, reason: reason)) } ?? WSFrameEncoder.encode(.closeWithoutCode)
        outgoing.frames.append(frame)
        outgoing.queuedBytes += frame.count
        outgoing.peakQueuedBytes = max(outgoing.peakQueuedBytes, outgoing.queuedBytes)
        outgoing.state = .closeQueued
        wakeWriter(&outgoing)
    }

    static func wakeWriter(_ outgoing: inout Outgoing) {
        if let writer = outgoing.writerWaiting {
            outgoing.writerWaiting = nil
            writer.resume()
        }
    }

    /// Drops the TCP connection if the closing handshake has not finished in time.
    func scheduleForcedClose() {
        let transport = self.transport
        let timeout = configuration.closeTimeout
        Task {
            try? await Task.sleep(for: timeout)
            transport.close()
        }
    }
}
