/// The connection's life after the 101: a reader loop (this task) and a writer task.
extension WSConnection {
    /// Runs the connection until it closes, calling `handler` in order. Returns after the socket
    /// is closed and `onClose` has run.
    /// - Parameter bufferedBytes: bytes that arrived with the upgrade request (already read).
    public func run(handler: any WSHandler, bufferedBytes: [UInt8] = []) async {
        await handler.onOpen(self)
        let writer = Task { await writeLoop() }
        let (code, reason, peerMayStillSend) = await readLoop(handler: handler, bufferedBytes: bufferedBytes)
        finishWriting()
        // The writer flushes what is queued (our close frame last) within writeTimeout.
        await writer.value
        if peerMayStillSend { await discardUntilPeerCloses() }
        transport.close()
        await handler.onClose(self, code: code, reason: reason)
    }

    // MARK: Reading

    /// Returns the close code and reason, and whether the peer may still be sending (we closed
    /// first, so its data or close frame may still be in flight).
    /// The most one read takes from the socket.
    private static let readSize = 64 * 1024

    private func readLoop(handler: any WSHandler, bufferedBytes: [UInt8]) async -> (WSCloseCode, String, Bool) {
        let inflater = deflate != nil ? try? WSInflater(noContextTakeover: deflate?.clientNoContextTakeover ?? false) : nil
        if deflate != nil && inflater == nil {
            queueClose(.internalError, reason: "cannot allocate inflater")
            return (.internalError, "cannot allocate inflater", true)
        }
        var inbound = WSInbound(role: .server, limits: configuration.limits, inflater: inflater)
        var lastReceived = Deadline.now
        var pingSentAt: Deadline?
        var pending = bufferedBytes

        while true {
            if !pending.isEmpty {
                lastReceived = Deadline.now
                pingSentAt = nil
                let output = inbound.receive(pending)
                pending = []
                // Only the last ping of a read is answered (§5.5.3), so a read full of pings
                // costs one pong.
                let lastPing = output.events.lastIndex { if case .ping = $0 { true } else { false } }
                // Events decoded before a failure in the same read are still delivered.
                for (index, event) in output.events.enumerated() {
                    if case .ping = event, index != lastPing { continue }
                    if let (code, reason) = await handle(event, handler: handler) { return (code, reason, false) }
                }
                if let error = output.error {
                    // RFC 6455 §7.1.7: fail the connection with the matching code.
                    queueClose(error.closeCode, reason: error.description)
                    return (error.closeCode, error.description, true)
                }
            }

            let deadline = pingSentAt.map { $0 + configuration.pongTimeout } ?? lastReceived + configuration.pingInterval
            do {
                pending = try await transport.read(maxBytes: Self.readSize, deadline: deadline)
                if pending.isEmpty { return (.abnormalClosure, "connection closed without a close frame", false) }
                // A read that filled the buffer did not wait: the peer keeps the socket full
                // (a flood). Without a suspension point this task would keep one of the
                // cooperative pool's few threads to itself and starve every other connection.
                if pending.count == Self.readSize { await Task.yield() }
            } catch SocketError.timedOut {
                if pingSentAt != nil {
                    close(.goingAway, reason: "idle timeout")
                    return (.goingAway, "idle timeout", true)
                }
                ping()
                pingSentAt = Deadline.now
            } catch {
                return (.abnormalClosure, "\(error)", false)
            }
        }
    }

    /// Handles one event; returns the close code and reason when the connection is ending.
    private func handle(_ event: WSEvent, handler: any WSHandler) async -> (WSCloseCode, String)? {
        switch event {
        case .message(let message):
            // After we queued a close, data frames are discarded (§5.5.1).
            if isOpen { await handler.onMessage(message, from: self) }
        case .ping(let payload):
            answerPing(payload)
        case .pong:
            break
        case .close(let code, let reason):
            // Echo the code (§5.5.1); if we initiated, this is the answer and we are done.
            queueClose(code, reason: "")
            return (code ?? .noStatusReceived, reason)
        }
        return nil
    }

    /// After we closed first: read and discard until the peer closes, goes quiet, or
    /// `closeTimeout` passes. Closing a socket with unread input makes the kernel send RST, and a
    /// browser that gets RST drops our close frame and reports 1006 instead of our code (RFC 6455
    /// §7.1.1 wants the server to close TCP only after the closing handshake). The stream is
    /// unparseable after a protocol error, so a quiet period stands in for "the peer's close arrived".
    private func discardUntilPeerCloses() async {
        transport.shutdownWrite()
        let deadline = Deadline.now + configuration.closeTimeout
        while Deadline.now < deadline {
            let quietDeadline = min(deadline, Deadline.now + .milliseconds(250))
            guard let bytes = try? await transport.read(maxBytes: 64 * 1024, deadline: quietDeadline),
                  !bytes.isEmpty else { return }
        }
    }

    // MARK: Writing

    private func writeLoop() async {
        while let batch = await nextBatch() {
            for bytes in batch {
                do {
                    try await transport.write(bytes, deadline: .now + configuration.writeTimeout)
                } catch {
                    // The peer stopped reading or went away: nothing more can be delivered.
                    transport.close()
                    discardQueue()
                    return
                }
            }
            outgoing.withLock { $0.queuedBytes -= batch.reduce(0) { $0 + $1.count } }
        }
    }

    /// Waits for queued frames; nil when the connection is finished and everything is flushed.
    private func nextBatch() async -> [[UInt8]]? {
        while true {
            let batch: [[UInt8]]? = outgoing.withLock { outgoing in
                if !outgoing.frames.isEmpty {
                    outgoing.pendingPong = nil
                    defer { outgoing.frames.removeAll(keepingCapacity: true) }
                    return outgoing.frames
                }
                return outgoing.state == .finished ? [] : nil
            }
            if let batch { return batch.isEmpty ? nil : batch }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = outgoing.withLock { outgoing in
                    if !outgoing.frames.isEmpty || outgoing.state == .finished { return true }
                    outgoing.writerWaiting = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// No more frames will be queued: the writer exits after flushing.
    private func finishWriting() {
        outgoing.withLock { outgoing in
            outgoing.state = .finished
            WSConnection.wakeWriter(&outgoing)
        }
    }

    private func discardQueue() {
        outgoing.withLock { outgoing in
            outgoing.frames.removeAll()
            outgoing.pendingPong = nil
            outgoing.queuedBytes = 0
            outgoing.state = .finished
        }
    }
}
