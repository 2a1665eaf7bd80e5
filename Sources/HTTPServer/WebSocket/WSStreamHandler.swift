import Synchronization

/// A `WSHandler` for code that prefers a loop over callbacks: for each connection, `body` runs in
/// its own task with the connection's messages as an `AsyncStream`, which finishes when the
/// connection closes.
///
/// ```swift
/// WebSocketRoute(handler: WSStreamHandler { connection, messages in
///     for await message in messages { connection.send(message) }
/// })
/// ```
///
/// Messages are buffered up to `bufferLimit` per connection while `body` is busy; beyond that
/// the oldest are dropped (a loop that never reads cannot grow memory without bound).
public final class WSStreamHandler: WSHandler {
    public typealias Body = @Sendable (WSConnection, AsyncStream<WSMessage>) async -> Void

    private let body: Body
    private let bufferLimit: Int
    private let streams = Mutex<[ObjectIdentifier: AsyncStream<WSMessage>.Continuation]>([:])

    public init(bufferLimit: Int = 1024, _ body: @escaping Body) {
        self.body = body
        self.bufferLimit = bufferLimit
    }

    public func onOpen(_ connection: WSConnection) async {
        let (stream, continuation) = AsyncStream.makeStream(of: WSMessage.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        streams.withLock { $0[ObjectIdentifier(connection)] = continuation }
        let body = self.body
        Task { await body(connection, stream) }
    }

    public func onMessage(_ message: WSMessage, from connection: WSConnection) async {
        _ = streams.withLock { $0[ObjectIdentifier(connection)] }?.yield(message)
    }

    public func onClose(_ connection: WSConnection, code: WSCloseCode, reason: String) async {
        streams.withLock { $0.removeValue(forKey: ObjectIdentifier(connection)) }?.finish()
    }
}
