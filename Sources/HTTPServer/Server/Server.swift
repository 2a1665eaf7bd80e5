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
        try ResourceLimits.checkOpenFileLimit(maxConnections: configuration.maxConnections)
        let descriptorReserve = DescriptorReserve()
        let pool = try SocketPool(loopCount: configuration.eventLoopCount)
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
            Task(executorPreference: pool.loop(for: listener)) { [self] in
                await acceptLoop(listener, pool: pool, reserve: descriptorReserve)
            }
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
        #if HTTP_TRACE
        let report = Array("request stages (tracing build)\n\(HTTPTrace.report())\n".utf8)
        _ = report.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
        #endif
        logger.info("stopped")
    }

    private func acceptLoop(_ listener: Socket, pool: SocketPool, reserve: DescriptorReserve) async {
        while true {
            do {
                try await pool.wait(for: listener, .readable)
            } catch {
                return // listener forgotten by stop()
            }
            while true {
                let accepted: (Socket, SocketAddress)?
                do throws(SocketError) {
                    accepted = try listener.accept()
                } catch where error.isDescriptorExhaustion {
                    if shedWithReserve(listener, pool: pool, reserve: reserve) { continue }
                    logger.warning("accept failed: out of descriptors", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .milliseconds(50))
                    break
                } catch {
                    logger.warning("accept failed", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .milliseconds(50))
                    break
                }
                guard let (socket, address) = accepted else { break }
                _ = try? socket.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
                let asyncSocket = AsyncSocket(socket: socket, pool: pool)
                switch registry.admit(socket, from: address.hostIdentity, limit: configuration.maxConnections,
                                      perHostLimit: configuration.maxConnectionsPerAddress) {
                case .success(let id):
                    let connection = HTTPConnection(socket: asyncSocket, id: id, remoteAddress: address.description,
                                                    configuration: configuration, handler: handler,
                                                    registry: registry, logger: logger)
                    // On the socket's own loop: its readiness resumes this task without a thread hop.
                    Task(executorPreference: pool.loop(for: socket)) { [registry] in
                        await connection.run()
                        registry.remove(id)
                    }
                case .failure(let refusal):
                    refuse(asyncSocket, because: refusal, peer: address)
                }
            }
        }
    }

    /// Out of descriptors: accepts one waiting client on the reserve descriptor and answers it
    /// 503; the reserve is taken back when that socket closes. True when a client was taken, so
    /// the caller tries the next one (which waits if the reserve is still lent out).
    private func shedWithReserve(_ listener: Socket, pool: SocketPool, reserve: DescriptorReserve) -> Bool {
        guard reserve.release() else { return false }
        guard let (socket, address) = try? listener.accept() else {
            reserve.retake()
            return false
        }
        refuse(AsyncSocket(socket: socket, pool: pool), because: .outOfDescriptors, peer: address,
               whenClosed: { reserve.retake() })
        return true
    }

    /// Over a cap: answer 503 and close. A few refusals linger to read the request first (so
    /// the client sees the 503 rather than a reset); beyond that they close at once.
    private func refuse(_ socket: AsyncSocket, because refusal: ConnectionRegistry.Refusal, peer: SocketAddress,
                        whenClosed: @escaping @Sendable () -> Void = {}) {
        let body: [UInt8]
        switch refusal {
        case .addressAtCapacity(let limit):
            logger.warning("connection refused: too many from one address", metadata: ["peer": "\(peer.host)", "limit": "\(limit)"])
            body = Server.addressBody
        case .outOfDescriptors:
            logger.warning("connection refused: out of file descriptors")
            body = Server.descriptorsBody
        case .atCapacity, .stopping:
            logger.warning("connection refused: at capacity", metadata: ["limit": "\(configuration.maxConnections)"])
            body = Server.refusalBody
        }
        // Out of descriptors, the reserve is lent to one refusal at a time and every queued
        // client (attackers first, in a flood) waits its turn: a lingering refusal (up to 400 ms)
        // would leave a normal client behind a hundred of them for tens of seconds. A client
        // that has waited in the backlog has usually sent its request already, so taking what is
        // buffered and answering at once still ends with FIN, not a reset.
        let lingers = refusal != .outOfDescriptors && state.withLock { state in
            guard state.refusalsInFlight < 64 else { return false }
            state.refusalsInFlight += 1
            return true
        }
        let response = Server.refusal(body)
        guard lingers else {
            var drain = [UInt8](repeating: 0, count: 16 * 1024)
            _ = drain.withUnsafeMutableBytes { try? socket.socket.receive(into: $0) }
            _ = response.withUnsafeBytes { try? socket.socket.send($0) }
            socket.socket.shutdownWrite()
            socket.close()
            whenClosed()
            return
        }
        Task(executorPreference: socket.loop) { [self] in
            _ = try? await socket.read(maxBytes: 16 * 1024, deadline: .now + .milliseconds(200))
            try? await socket.write(response, deadline: .now + .seconds(1))
            socket.socket.shutdownWrite()
            _ = try? await socket.read(maxBytes: 16 * 1024, deadline: .now + .milliseconds(200))
            socket.close()
            whenClosed()
            state.withLock { $0.refusalsInFlight -= 1 }
        }
    }

    private static func refusal(_ body: [UInt8]) -> [UInt8] {
        HTTPResponseEncoder.encodeHead(
            status: .serviceUnavailable, headers: ["Content-Type": "text/plain; charset=utf-8", "Retry-After": "1"],
            framing: .contentLength(body.count), closeConnection: true, date: HTTPDate.now(), followedBy: body)
    }

    private static let refusalBody = Array("503 Service Unavailable: too many connections, retry shortly\n".utf8)
    private static let addressBody = Array("503 Service Unavailable: too many connections from your address, retry shortly\n".utf8)
    private static let descriptorsBody = Array("503 Service Unavailable: the server is out of file descriptors, retry shortly\n".utf8)
}
