/// Takes over a connection after a handler switched protocols (e.g. to WebSocket).
///
/// A handler that accepts an upgrade returns `HTTPResponse.switchingProtocols(headers:upgrader:)`.
/// The server writes that 101 response, stops HTTP processing on the connection, and calls
/// `takeOver(_:)` with the raw connection, including any bytes the client sent after the request
/// head (they belong to the new protocol). The connection is closed when `takeOver` returns, if
/// the upgrader has not closed it already; it does not count against HTTP timeouts, but it still
/// counts against the server's connection cap until then.
public protocol ConnectionUpgrader: Sendable {
    func takeOver(_ connection: UpgradedConnection) async
}
