/// How a server listens, how much it accepts, and how long it waits.
public struct HTTPServerConfiguration: Sendable {
    /// Where to listen; port 0 picks a free port (read it back from `Server.boundAddresses`).
    public var listenAddresses: [SocketAddress]
    /// Connections served at once; more are answered 503 and closed. Checked at start against
    /// the open-file limit (each connection is a descriptor).
    public var maxConnections: Int
    /// Connections one client address may hold at once, so one client cannot take them all;
    /// more from it are answered 503 and closed. nil: no per-address cap (behind a proxy, every
    /// client has the proxy's address).
    public var maxConnectionsPerAddress: Int?
    /// Request size limits (414, 431, 413).
    public var limits: HTTPRequestDecoder.Limits
    /// From a request's first byte to the end of its head (slowloris) → 408 and close.
    public var headerReadTimeout: Duration
    /// Longest pause between body bytes → 408 and close.
    public var bodyIdleTimeout: Duration
    /// With `bodyMinimumBytesPerSecond`, bounds the total time spent waiting for a request body:
    /// this grace period plus the bytes received at the minimum rate. A client that drips a byte
    /// just inside the idle timeout is closed (408) once it falls behind. Time the handler spends
    /// not reading does not count.
    public var bodyReadGracePeriod: Duration
    public var bodyMinimumBytesPerSecond: Int
    /// How long an idle keep-alive connection is kept → closed quietly.
    public var keepAliveTimeout: Duration
    /// Longest wait for a slow reader to take response bytes → connection dropped.
    public var writeTimeout: Duration
    /// How long `stop()` lets in-flight requests finish before closing their connections.
    public var shutdownGracePeriod: Duration
    /// Event-loop threads, each polling its share of the connections and running their tasks;
    /// nil: one per online core.
    public var eventLoopCount: Int?

    public init(listenAddresses: [SocketAddress] = [.loopback(port: 5000)],
                maxConnections: Int = 2048,
                maxConnectionsPerAddress: Int? = nil,
                limits: HTTPRequestDecoder.Limits = HTTPRequestDecoder.Limits(),
                headerReadTimeout: Duration = .seconds(10),
                bodyIdleTimeout: Duration = .seconds(30),
                bodyReadGracePeriod: Duration = .seconds(30),
                bodyMinimumBytesPerSecond: Int = 10_000,
                keepAliveTimeout: Duration = .seconds(30),
                writeTimeout: Duration = .seconds(30),
                shutdownGracePeriod: Duration = .seconds(10),
                eventLoopCount: Int? = nil) {
        self.listenAddresses = listenAddresses
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.limits = limits
        self.headerReadTimeout = headerReadTimeout
        self.bodyIdleTimeout = bodyIdleTimeout
        self.bodyReadGracePeriod = bodyReadGracePeriod
        self.bodyMinimumBytesPerSecond = bodyMinimumBytesPerSecond
        self.keepAliveTimeout = keepAliveTimeout
        self.writeTimeout = writeTimeout
        self.shutdownGracePeriod = shutdownGracePeriod
        self.eventLoopCount = eventLoopCount
    }
}
