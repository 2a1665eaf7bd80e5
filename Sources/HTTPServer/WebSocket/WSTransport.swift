/// The byte stream a `WSConnection` runs on. `UpgradedConnection` (the socket the HTTP server
/// hands over after a 101) is the production one; the seam keeps the connection logic free of
/// server internals.
public protocol WSTransport: Sendable {
    /// Reads what is available; empty means the peer closed. Throws on timeout, reset or local close.
    func read(maxBytes: Int, deadline: Deadline?) async throws -> [UInt8]
    /// Writes everything, waiting while the peer's window is full (one writer at a time).
    func write(_ bytes: [UInt8], deadline: Deadline?) async throws
    /// Closes the stream; pending reads and writes fail. Idempotent.
    func close()
    /// Sends FIN but keeps reading (used after our close frame, so the peer sees end of stream).
    func shutdownWrite()
}

extension WSTransport {
    /// Transports without a half-close rely on the quiet period in the closing linger.
    public func shutdownWrite() {}
}

extension UpgradedConnection: WSTransport {}
