/// The connection's life after the 101: a reader loop (this task) and a writer task.
extension WSConnection {
    /// Runs the connection until it closes, calling `handler` in order. Returns after the socket
    /// is closed and `onClose` has run.
    /// - Parameter bufferedBytes: bytes that arrived with the upgrade request (already read).
    public func run(handler: any WSHandler, bufferedBytes: [UInt8] = []) async {
        await handler.onOpen(self)
        let writer = Task { await writeLoop() }
        let (code, reason) = await readLoop(handler: handler, bufferedBytes: bufferedBytes)
        finishWriting()
        // The writer flushes what is queued (our close frame last) within writeTimeout.
        await writer.value
        transport.close()
        await handler.onClose(self, code: code, reason: reason)
    }

    // MARK: Reading

    private func readLoop(handler: any WSHandler, bufferedBytes: [UInt8]) async -> (WSCloseCode, String) {
        let inflater = deflate != nil ? try? WSInflater(noContextTakeover: deflate?.clientNoContextTakeover ?? false) : nil
        if deflate != nil && inflater == nil {
            queueClose(.internalError, reason: "cannot allocate inflater")
            return (.internalError, "cannot allocate inflater")
        }
        var inbound = WSInbound(role: .server, limits: configuration.limits, inflater: inflater)
        let clock = ContinuousClock()
        var lastReceived = clock.now
        var pingSentAt: ContinuousClock.Instant?
        var pending = bufferedBytes

        while true {
            if !pending.isEmpty {
                lastReceived = clock.now
                pingSentAt = nil
                let events: [WSEvent]
                do {
                    events = try inbound.receive(pending)
                } catch {
                    // RFC 6455 §7.1.7: fail the connection with the matching code.
                    queueClose(error.closeCode, reason: error.description)
                    return (error.closeCode, error.description)
                }
                pending = []
                for event in events {
                    if let ending = await handle(event, handler: handler) { return ending }
                }
            }

            let deadline = pingSentAt.map { $0 + configuration.pongTimeout } ?? lastReceived + configuration.pingInterval
            do {
                pending = try await transport.read(maxBytes: 64 * 1024, deadline: deadline)
                if pending.isEmpty { return (.abnormalClosure, "connection closed without a close frame") }
            } catch SocketError.timedOut {
                if pingSentAt != nil {
                    close(.goingAway, reason: "idle timeout")
                    return (.goingAway, "idle timeout")
                }
                ping()
                pingSentAt = clock.now
            } catch {
                return (.abnormalClosure, "\(error)")
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
            _ = enqueue(isControl: true) { _ in WSFrameEncoder.encode(.pong(payload)) }
        case .pong:
            break
        case .close(let code, let reason):
            // Echo the code (§5.5.1); if we initiated, this is the answer and we are done.
            queueClose(code, reason: "")
            return (code ?? .noStatusReceived, reason)
        }
        return nil
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
            outgoing.queuedBytes = 0
            outgoing.state = .finished
        }
    }
}
