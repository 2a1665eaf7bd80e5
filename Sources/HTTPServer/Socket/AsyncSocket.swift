/// A connected, non-blocking socket whose reads and writes suspend the calling task (through
/// `SocketPool`) instead of blocking a thread.
///
/// Writes complete only when every byte is in the kernel's send buffer, so a slow reader slows its
/// writer: that is the server's backpressure. Reads return what is available, up to a maximum.
///
/// The waiting methods are `nonisolated(nonsending)`: they run on the caller's executor (a
/// connection's event loop), so calling them and resuming from them checks for no executor hop
/// (a question put to the task's executor preference, under its status lock, on every read).
public struct AsyncSocket: Sendable {
    public let socket: Socket
    public let pool: SocketPool
    /// The loop that watches this socket, looked up once: reading it from the pool's array on
    /// every wait was a cache miss on a line both loops' threads touch (37% of the head
    /// reader's own time under callgrind).
    let loop: EventLoop

    public init(socket: Socket, pool: SocketPool) {
        self.socket = socket
        self.pool = pool
        self.loop = pool.loop(for: socket)
    }

    /// Reads up to `maxBytes`; an empty array means the peer closed its side.
    /// Throws `SocketError` (`timedOut` after `deadline`, `disconnected`, `closed`).
    nonisolated(nonsending) public func read(maxBytes: Int, deadline: Deadline? = nil) async throws -> [UInt8] {
        while true {
            var outcome: Int? = nil
            let bytes = try [UInt8](unsafeUninitializedCapacity: maxBytes) { buffer, count in
                outcome = try socket.receive(into: UnsafeMutableRawBufferPointer(buffer))
                count = outcome ?? 0
            }
            if outcome != nil { return bytes }
            try await waitAfterWouldBlock(.readable, deadline: deadline)
        }
    }

    /// Reads up to `maxBytes` into a scratch buffer on the stack and hands them to `consume`
    /// (which must copy what it keeps); returns the count, 0 when the peer closed its side.
    /// For the many small reads (request heads) that would otherwise allocate an array each.
    ///
    /// `drained`: the caller's previous read of this socket returned fewer bytes than it asked
    /// for, so the kernel's buffer was empty then and any byte since has raised an edge; asking
    /// again would only hear "would block", so this waits for the edge first (one `recv` less
    /// per keep-alive request).
    nonisolated(nonsending) public func read(maxBytes: Int, deadline: Deadline? = nil, drained: Bool = false,
                     consume: (UnsafeRawBufferPointer) -> Void) async throws -> Int {
        if drained { try await waitAfterWouldBlock(.readable, deadline: deadline) }
        while true {
            if let received = try receive(maxBytes: maxBytes, consume: consume) { return received }
            try await waitAfterWouldBlock(.readable, deadline: deadline)
        }
    }

    /// One receive through a scratch buffer on the thread's stack. Synchronous and never inlined
    /// on purpose: inlined into an async function, the temporary allocation became part of that
    /// function's frame, taken from the task's allocator (the head reader's frame was over 16 KiB).
    @inline(never)
    private func receive(maxBytes: Int, consume: (UnsafeRawBufferPointer) -> Void) throws -> Int? {
        try withUnsafeTemporaryAllocation(byteCount: maxBytes, alignment: 1) { buffer throws -> Int? in
            guard let count = try socket.receive(into: buffer) else { return nil }
            consume(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            return count
        }
    }

    /// Sends what of `bytes` (from `offset`) the kernel takes now, without waiting; returns the
    /// offset reached. Lets a caller skip the asynchronous `write` when everything fits, as a
    /// small response nearly always does.
    public func sendAvailable(_ bytes: [UInt8], from offset: Int = 0) throws -> Int {
        var offset = offset
        while offset < bytes.count {
            let sent = try bytes.withUnsafeBytes { raw in
                try socket.send(UnsafeRawBufferPointer(rebasing: raw[offset...]))
            }
            guard let sent else { break }
            offset += sent
        }
        return offset
    }

    /// Writes all of `bytes` (from `offset`), waiting for buffer space as needed.
    nonisolated(nonsending) public func write(_ bytes: [UInt8], from offset: Int = 0, deadline: Deadline? = nil) async throws {
        var offset = try sendAvailable(bytes, from: offset)
        while offset < bytes.count {
            try await waitAfterWouldBlock(.writable, deadline: deadline)
            offset = try sendAvailable(bytes, from: offset)
        }
    }

    /// Waits for `interest` after the socket answered "would block" (so an edge will come):
    /// watched edge-triggered, without an `epoll_ctl` per wait.
    nonisolated(nonsending) private func waitAfterWouldBlock(_ interest: SocketPool.Interest, deadline: Deadline?) async throws {
        try await loop.wait(for: socket.fileDescriptor, interest, deadline: deadline, edgeTriggered: true)
        #if HTTP_TRACE
        HTTPTrace.record(.readyToResume, since: loop.lastPoll.load(ordering: .relaxed))
        #endif
    }

    /// Fails any read or write waiting on this socket with `SocketError.closed`, keeping it
    /// registered.
    public func interrupt() {
        loop.interrupt(socket.fileDescriptor)
    }

    /// Deregisters from the pool and closes the descriptor.
    public func close() {
        loop.forget(socket.fileDescriptor)
        socket.close()
    }
}
