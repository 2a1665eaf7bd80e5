import Glibc
import Logging
import Synchronization

/// An HTTP/1.1 server on non-blocking sockets: it listens on IPv4 and/or IPv6 addresses, serves
/// each connection in its own task with `handler`, and stops gracefully.
///
/// ```swift
/// let server = Server(configuration: .init(listenAddresses: [.loopback(port: 0)]), handler: router)
/// let addresses = try await server.start()
/// ...
/// await server.stop()
/// ```
public final class Server: Sendable {
    public let configuration: HTTPServerConfiguration
    private let handler: any HTTPHandler
    private let logger: Logger
    private let registry = ConnectionRegistry()
    private let state = Mutex<ListenState>(ListenState())

    private struct ListenState {
        var pool: SocketPool?
        var listeners: [Socket] = []
        var addresses: [SocketAddress] = []
        var acceptTasks: [Task<Void, Never>] = []
        var refusalsInFlight = 0
    }

    public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler,
                logger: Logger = Logger(label: "HTTPServer")) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
    }

    /// The addresses actually bound (with real ports when port 0 was asked for).
    public var boundAddresses: [SocketAddress] { state.withLock { $0.addresses } }

    /// Connections currently open.
    public var connectionCount: Int { registry.count }

    /// Binds every listen address and starts accepting. Returns the bound addresses.
    @discardableResult
    public func start() throws(SocketError) -> [SocketAddress] {
        ResourceLimits.raiseOpenFileLimit()
        let pool = try SocketPool()
        var listeners: [Socket] = []
        var addresses: [SocketAddress] = []
        do throws(SocketError) {
            for address in configuration.listenAddresses {
                let listener = try Socket.listening(on: address)
                listeners.append(listener)
                addresses.append(try listener.localAddress())
            }
        } catch {
            listeners.forEach { $0.close() }
            pool.stop()
            throw error
        }
        let tasks = listeners.map { listener in
            Task { [self] in await acceptLoop(listener, pool: pool) }
        }
        state.withLock { state in
            state.pool = pool
            state.listeners = listeners
            state.addresses = addresses
            state.acceptTasks = tasks
        }
        logger.info("listening", metadata: ["addresses": "\(addresses.map(\.description).joined(separator: ", "))"])
        return addresses
    }

    /// Stops accepting, closes idle keep-alive connections, lets in-flight requests finish for up
    /// to the grace period, then closes whatever is left.
    public func stop() async {
        let (pool, listeners, tasks) = state.withLock { state in
            defer { state.listeners = []; state.acceptTasks = [] }
            return (state.pool, state.listeners, state.acceptTasks)
        }
        guard let pool else { return }
        for listener in listeners {
            pool.forget(listener)
            listener.close()
        }
        for task in tasks { await task.value }
        for idle in registry.beginStopping() { pool.interrupt(idle) }

        let grace = configuration.shutdownGracePeriod
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [registry] in await registry.waitUntilEmpty() }
            group.addTask { [registry] in
                try? await Task.sleep(for: grace)
                for socket in registry.allSockets() { pool.interrupt(socket) }
                await registry.waitUntilEmpty()
            }
            await group.next()
            group.cancelAll()
        }
        pool.stop()
        logger.info("stopped")
    }

    private func acceptLoop(_ listener: Socket, pool: SocketPool) async {
        while true {
            do {
                try await pool.wait(for: listener, .readable)
            } catch {
                return // listener forgotten by stop()
            }
            while true {
                let accepted: (Socket, SocketAddress)?
                do {
                    accepted = try listener.accept()
                } catch {
                    // EMFILE and friends: log, back off briefly instead of spinning.
                    logger.warning("accept failed", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .milliseconds(50))
                    break
                }
                guard let (socket, address) = accepted else { break }
                _ = try? socket.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
                let asyncSocket = AsyncSocket(socket: socket, pool: pool)
                if registry.admit(socket, limit: configuration.maxConnections) {
                    let connection = HTTPConnection(socket: asyncSocket, remoteAddress: address.description,
                                                    configuration: configuration, handler: handler,
                                                    registry: registry, logger: logger)
                    Task { [registry] in
                        await connection.run()
                        registry.remove(socket)
                    }
                } else {
                    refuse(asyncSocket)
                }
            }
        }
    }

    /// Over the cap: answer 503 and close. A few refusals linger to read the request first (so
    /// the client sees the 503 rather than a reset); beyond that they close at once.
    private func refuse(_ socket: AsyncSocket) {
        logger.warning("connection refused: at capacity", metadata: ["limit": "\(configuration.maxConnections)"])
        let lingers = state.withLock { state in
            guard state.refusalsInFlight < 64 else { return false }
            state.refusalsInFlight += 1
            return true
        }
        let response = HTTPResponseEncoder.encodeHead(
            status: .serviceUnavailable, headers: ["Content-Type": "text/plain; charset=utf-8", "Retry-After": "1"],
            framing: .contentLength(Server.refusalBody.count), closeConnection: true, date: HTTPDate.now()) + Server.refusalBody
        guard lingers else {
            _ = response.withUnsafeBytes { try? socket.socket.send($0) }
            socket.close()
            return
        }
        Task { [self] in
            _ = try? await socket.read(maxBytes: 16 * 1024, deadline: .now + .milliseconds(200))
            try? await socket.write(response, deadline: .now + .seconds(1))
            socket.socket.shutdownWrite()
            _ = try? await socket.read(maxBytes: 16 * 1024, deadline: .now + .milliseconds(200))
            socket.close()
            state.withLock { $0.refusalsInFlight -= 1 }
        }
    }

    private static let refusalBody = Array("503 Service Unavailable: too many connections, retry shortly\n".utf8)
}

/// Process limits a server needs raised.
enum ResourceLimits {
    /// Raises the soft open-file limit to the hard limit: every connection is a descriptor, and
    /// the common soft default (1024) is below a busy server's needs.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
