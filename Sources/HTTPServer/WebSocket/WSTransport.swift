/// The byte stream a `WSConnection` runs on. `UpgradedConnection` (the socket the HTTP server
/// hands over after a 101) is the production one; the seam keeps the connection logic free of
/// server internals.
public protocol WSTransport: Sendable {
    /// Reads what is available; empty means the peer closed. Throws on timeout, reset or local close.
    func read(maxBytes: Int, deadline: ContinuousClock.Instant?) async throws -> [UInt8]
    /// Writes everything, waiting while the peer's window is full (one writer at a time).
    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant?) async throws
    /// Closes the stream; pending reads and writes fail. Idempotent.
    func close()
}

extension UpgradedConnection: WSTransport {}
