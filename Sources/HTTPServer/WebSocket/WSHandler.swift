/// What the application implements to talk over WebSocket connections.
///
/// Calls for one connection arrive in order, one at a time: the next message is read only after
/// `onMessage` returns (so a slow handler slows its client, not the server). Sending is
/// thread-safe and never waits: use `connection.send` from here or from any other task.
public protocol WSHandler: Sendable {
    /// The connection is open (after the 101 response).
    func onOpen(_ connection: WSConnection) async
    /// A complete, validated message arrived.
    func onMessage(_ message: WSMessage, from connection: WSConnection) async
    /// The connection is gone: the peer's close code, ours after a protocol error, or 1006
    /// (abnormal closure) when TCP dropped without a close frame.
    func onClose(_ connection: WSConnection, code: WSCloseCode, reason: String) async
}

extension WSHandler {
    public func onOpen(_ connection: WSConnection) async {}
    public func onClose(_ connection: WSConnection, code: WSCloseCode, reason: String) async {}
}

/// Sends every message back to its sender; useful for tests and as an example.
public struct WSEchoHandler: WSHandler {
    public init() {}
    public func onMessage(_ message: WSMessage, from connection: WSConnection) async {
        connection.send(message)
    }
}
