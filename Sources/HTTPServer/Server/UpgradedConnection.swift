import Synchronization

/// A connection handed over by the HTTP layer after a 101 response.
///
/// One task may read while another writes (each direction waits separately); two concurrent
/// writers must be serialised by the caller, since interleaved frames would corrupt the stream.
public final class UpgradedConnection: Sendable {
    /// Bytes the client sent after the upgrade request's head, already read from the socket:
    /// consume these before calling `read`.
    public let bufferedBytes: [UInt8]
    /// The request that asked for the upgrade.
    public let request: HTTPRequestHead
    /// The peer, e.g. `127.0.0.1:51234`, for logs.
    public let remoteAddress: String
    private let socket: AsyncSocket
    private let closed = Mutex(false)

    init(socket: AsyncSocket, request: HTTPRequestHead, remoteAddress: String, bufferedBytes: [UInt8]) {
        self.socket = socket
        self.request = request
        self.remoteAddress = remoteAddress
        self.bufferedBytes = bufferedBytes
    }

    /// The socket's descriptor, for diagnostics; do not close it directly (use `close()`).
    public var fileDescriptor: Int32 { socket.socket.fileDescriptor }

    /// Reads what is available, up to `maxBytes`; empty means the peer closed. Throws
    /// `SocketError.timedOut` after `deadline`, `.closed` after `close()`, `.disconnected`.
    public func read(maxBytes: Int = 64 * 1024, deadline: Deadline? = nil) async throws -> [UInt8] {
        try await socket.read(maxBytes: maxBytes, deadline: deadline)
    }

    /// Writes all bytes, suspending while the peer's receive window is full (backpressure).
    public func write(_ bytes: [UInt8], deadline: Deadline? = nil) async throws {
        try await socket.write(bytes, deadline: deadline)
    }

    /// Closes the connection; pending reads and writes fail with `SocketError.closed`. Idempotent.
    public func close() {
        let wasOpen = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        if wasOpen { socket.close() }
    }

    /// Half-closes: the peer reads end of stream while we can still read its last bytes (e.g.
    /// after sending a WebSocket close frame). No-op once closed.
    public func shutdownWrite() {
        if !isClosed { socket.socket.shutdownWrite() }
    }

    public var isClosed: Bool { closed.withLock { $0 } }
}
