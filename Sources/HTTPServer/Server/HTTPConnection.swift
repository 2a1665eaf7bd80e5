import Glibc
import Logging
import Synchronization

/// One client connection: reads requests with `HTTPRequestDecoder`, runs the handler, writes the
/// responses, and keeps the connection alive, pipelined, upgraded or closed as HTTP/1.1 says.
///
/// Not an actor: a request would cross its isolation boundary half a dozen times (into the
/// handler, back, into each body read), and every crossing queues the task behind the other
/// connections of its event loop, which is what made the latency tail long.
///
/// `@unchecked Sendable` because the handler's body source holds it; it is safe because all of
/// its state belongs to the task that runs `run()`, with one way in from elsewhere,
/// `nextBodyChunk`, which first takes `bodyLease`: the lease is offered (holding the request's
/// number) only while the handler runs, taken back before `run` touches the decoder again, and a
/// read that still holds it then (a task the handler left behind) is interrupted first.
final class HTTPConnection: @unchecked Sendable {
    private let socket: AsyncSocket
    private let id: ConnectionRegistry.ID
    private let remoteAddress: String
    private let configuration: HTTPServerConfiguration
    private let handler: any HTTPHandler
    private let registry: ConnectionRegistry
    private let logger: Logger
    /// Whether the per-request debug line is wanted (asked once, not per request).
    private let logsRequests: Bool
    private var decoder: HTTPRequestDecoder

    // Per-request state.
    private var requestNumber = 0
    private var bodyFinished = true
    private var continuePending = false
    private var bodyError: (any Error)?
    /// Time spent waiting for this request's body bytes, and how many came: the body deadline
    /// grows with what arrived (see `bodyReadGracePeriod`).
    private var bodyWaited = Duration.zero
    private var bodyReceived = 0
    /// The request whose body the handler may read now (its number), 0 when none, or minus its
    /// number while a read is in progress.
    private let bodyLease = Atomic<Int>(0)
    private var dateSecond = -1
    private var dateText = ""
    /// The last head read returned less than asked for: the kernel's buffer was empty then, and
    /// any byte since has brought an edge, so the next read can wait without first asking.
    private var socketDrained = false

    init(socket: AsyncSocket, id: ConnectionRegistry.ID, remoteAddress: String, configuration: HTTPServerConfiguration,
         handler: any HTTPHandler, registry: ConnectionRegistry, logger: Logger) {
        self.socket = socket
        self.id = id
        self.remoteAddress = remoteAddress
        self.configuration = configuration
        self.handler = handler
        self.registry = registry
        self.logger = logger
        self.logsRequests = logger.logLevel <= .debug
        self.decoder = HTTPRequestDecoder(limits: configuration.limits)
    }

    /// Serves requests until the client or the server ends the connection, then closes it.
    nonisolated(nonsending) func run() async {
        let upgraded = await serveRequests()
        if !upgraded { socket.close() }
    }

    /// Returns true when the connection was handed to an upgrader (which closed it).
    nonisolated(nonsending) private func serveRequests() async -> Bool {
        while true {
            guard let head = await readHead() else { return false }
            requestNumber += 1
            bodyError = nil
            bodyWaited = .zero
            bodyReceived = 0
            continuePending = head.expectsContinue
            bodyFinished = head.framing == .none || head.framing == .contentLength(0)
            if bodyFinished {
                _ = try? decoder.next() // the .end event of a bodiless request
                continuePending = false
            }
            let body = HTTPRequestBody(source: ConnectionBodySource(connection: self, requestNumber: requestNumber),
                                       declaredLength: { if case let .contentLength(n) = head.framing { n } else { nil } }())
            let request = HTTPRequest(head: head, remoteAddress: remoteAddress, body: body)

            var response: HTTPResponse
            var keepAlive = head.keepAlive && !registry.isStopping
            bodyLease.store(requestNumber, ordering: .releasing)
            #if HTTP_TRACE
            let handlerStarted = HTTPTrace.now()
            #endif
            do {
                response = try await handler.handle(request)
            } catch {
                response = errorResponse(for: error, request: head)
                if !(error is any HTTPResponseError) { keepAlive = false }
            }
            #if HTTP_TRACE
            HTTPTrace.record(.handler, since: handlerStarted)
            #endif
            // Usually the lease is simply there to take back: no suspension point for that.
            let leaseReturned = bodyLease.compareExchange(expected: requestNumber, desired: 0,
                                                          ordering: .acquiringAndReleasing).exchanged
            if !leaseReturned, await revokeBodyLease() {
                // A task the handler left behind was still reading the body: where the body
                // stands is unknown, so answer and close.
                bodyError = nil
                bodyFinished = true
                keepAlive = false
            }
            if let bodyError {
                // Bad framing, a stalled body or a dead peer wins over whatever the handler answered.
                if let decodingError = bodyError as? HTTPDecodingError {
                    response = .error(decodingError.status, decodingError.description)
                } else if let responseError = bodyError as? any HTTPResponseError {
                    response = .error(responseError.status, responseError.message)
                } else {
                    return false
                }
                keepAlive = false
            }
            if registry.isStopping { keepAlive = false }

            // The status first: testing the optional upgrader copies and destroys an existential.
            if response.status == .switchingProtocols && response.upgrader != nil {
                return await upgrade(request: head, response: response)
            }
            if !bodyFinished {
                keepAlive = await discardRemainingBody() && keepAlive
            }
            #if HTTP_TRACE
            let writeStarted = HTTPTrace.now()
            #endif
            do {
                if let bytes = encodedWhole(response, for: head, keepAlive: keepAlive) {
                    // Most responses fit the send buffer: sent here, with no suspension point
                    // (and no asynchronous call at all).
                    let sent = try socket.sendAvailable(bytes)
                    if sent < bytes.count {
                        try await socket.write(bytes, from: sent, deadline: .now + configuration.writeTimeout)
                    }
                } else {
                    try await write(response, for: head, keepAlive: keepAlive)
                }
            } catch {
                logger.debug("write failed", metadata: ["peer": "\(remoteAddress)", "error": "\(error)"])
                return false
            }
            #if HTTP_TRACE
            HTTPTrace.record(.write, since: writeStarted)
            #endif
            if logsRequests {
                logger.debug("\(head.method) \(head.target) \(response.status.code)", metadata: ["peer": "\(remoteAddress)"])
            }
            if !keepAlive {
                await lingeringClose()
                return false
            }
        }
    }

    // MARK: Reading

    /// The next request head; nil when the connection should close (EOF, idle timeout, or an
    /// error that has already been answered).
    nonisolated(nonsending) private func readHead() async -> HTTPRequestHead? {
        // `started`: a byte of this request has arrived (the connection is busy). The head's
        // clock is read only once a read has left it incomplete: a head that arrives whole, as
        // nearly all do, costs no second clock read.
        var started = decoder.isInsideRequest
        var headStarted: Deadline? = nil
        let idleDeadline = Deadline.now + (requestNumber == 0 ? configuration.headerReadTimeout : configuration.keepAliveTimeout)
        #if HTTP_TRACE
        var readReturned = HTTPTrace.now()
        #endif
        while true {
            do throws(HTTPDecodingError) {
                if let event = try decoder.next() {
                    #if HTTP_TRACE
                    if case .head = event { HTTPTrace.record(.decode, since: readReturned) }
                    #endif
                    if case let .head(head) = event { return head }
                    continue
                }
            } catch {
                logger.debug("rejected request: \(error)", metadata: ["peer": "\(remoteAddress)"])
                try? await writeSimple(.error(error.status, error.description))
                await lingeringClose()
                return nil
            }
            if !started {
                guard registry.markIdle(id) else { return nil }
            } else if headStarted == nil {
                headStarted = Deadline.now
            }
            let deadline = headStarted.map { $0 + configuration.headerReadTimeout } ?? idleDeadline
            let count: Int
            let maxBytes = 16 * 1024
            do {
                count = try await socket.read(maxBytes: maxBytes, deadline: deadline, drained: socketDrained) {
                    decoder.append($0)
                }
                socketDrained = count < maxBytes
            } catch SocketError.timedOut where started {
                logger.debug("header timeout", metadata: ["peer": "\(remoteAddress)"])
                try? await writeSimple(.error(.requestTimeout, "request head not received in time"))
                await lingeringClose()
                return nil
            } catch {
                return nil
            }
            guard count > 0 else { return nil }
            #if HTTP_TRACE
            readReturned = HTTPTrace.now()
            #endif
            if !started {
                started = true
                registry.markBusy(id)
            }
        }
    }

    /// The handler's body pull: the next piece of the current request's body; nil once that
    /// request is over.
    func nextBodyChunk(requestNumber: Int) async throws -> [UInt8]? {
        let (taken, holder) = bodyLease.compareExchange(expected: requestNumber, desired: -requestNumber,
                                                        ordering: .acquiringAndReleasing)
        guard taken else {
            if holder == -requestNumber { throw HTTPBodyConcurrentReadError() }
            return nil
        }
        defer { bodyLease.store(requestNumber, ordering: .releasing) }
        return try await readBodyChunk()
    }

    /// Takes the body lease back after the handler returned; a read still in progress (from a
    /// task the handler left running) is interrupted, and fails, first. True if one was.
    private func revokeBodyLease() async -> Bool {
        var interrupted = false
        while !bodyLease.compareExchange(expected: requestNumber, desired: 0, ordering: .acquiringAndReleasing).exchanged {
            interrupted = true
            socket.interrupt()
            await Task.yield()
        }
        return interrupted
    }

    /// The next piece of the current request's body (the caller holds the body lease, or the
    /// handler has returned).
    private func readBodyChunk() async throws -> [UInt8]? {
        guard !bodyFinished else { return nil }
        if let bodyError { throw bodyError }
        do {
            while true {
                if let event = try decoder.next() {
                    switch event {
                    case let .body(bytes): return bytes
                    case .end:
                        bodyFinished = true
                        return nil
                    case .head: continue
                    }
                }
                if continuePending {
                    continuePending = false
                    try await socket.write(HTTPResponseEncoder.continueResponse,
                                           deadline: .now + configuration.writeTimeout)
                }
                let bytes = try await readBody()
                guard !bytes.isEmpty else { throw SocketError.disconnected }
                decoder.append(bytes)
            }
        } catch SocketError.timedOut {
            bodyError = HTTPBodyTimeoutError()
            throw HTTPBodyTimeoutError()
        } catch {
            bodyError = error
            throw error
        }
    }

    /// One read of body bytes, within both the idle timeout and what is left of the body's
    /// total budget (grace period + bytes received at the minimum rate - time already waited).
    private func readBody() async throws -> [UInt8] {
        let rate = Double(max(configuration.bodyMinimumBytesPerSecond, 1))
        let budget = configuration.bodyReadGracePeriod + .seconds(Double(bodyReceived) / rate) - bodyWaited
        guard budget > .zero else { throw SocketError.timedOut }
        let started = Deadline.now
        defer { bodyWaited += Deadline.now - started }
        socketDrained = false
        let bytes = try await socket.read(maxBytes: 64 * 1024, deadline: started + min(configuration.bodyIdleTimeout, budget))
        bodyReceived += bytes.count
        return bytes
    }

    /// Reads and drops an unread body so the next pipelined request can be decoded; gives up
    /// (returns false: close instead) for large bodies or when the client still waits for 100.
    private func discardRemainingBody() async -> Bool {
        if continuePending { return false }
        var discarded = 0
        do {
            while let chunk = try await readBodyChunk() {
                discarded += chunk.count
                if discarded > 256 * 1024 { return false }
            }
            return bodyError == nil
        } catch {
            return false
        }
    }

    // MARK: Writing

    /// The whole response, head and body in one buffer (one send), for every response except a
    /// streamed or file body that is actually sent; nil for those (`write` sends them).
    private func encodedWhole(_ response: HTTPResponse, for head: HTTPRequestHead, keepAlive: Bool) -> [UInt8]? {
        let sendsBody = head.method != .head && response.status.allowsBody
        let framing: HTTPResponseEncoder.Framing
        var body: [UInt8] = []
        switch response.body {
        case .stream, .file:
            if sendsBody { return nil }
            // HEAD of a streamed response: its length is unknown, so none is announced.
            framing = !response.status.allowsBody || response.body.knownLength == nil
                ? .noBody : .contentLength(response.body.knownLength ?? 0)
        case .empty, .bytes:
            framing = response.status.allowsBody ? .contentLength(response.body.knownLength ?? 0) : .noBody
            if sendsBody, case let .bytes(bytes) = response.body { body = bytes }
        }
        return HTTPResponseEncoder.encodeHead(status: response.status, headers: response.headers,
                                              framing: framing, closeConnection: !keepAlive, date: currentDate(),
                                              announceKeepAlive: keepAlive && head.version == .http1_0,
                                              followedBy: body)
    }

    /// Sends a streamed or file body (`encodedWhole` answered nil).
    nonisolated(nonsending) private func write(_ response: HTTPResponse, for head: HTTPRequestHead, keepAlive: Bool) async throws {
        let date = currentDate()
        switch response.body {
        case .stream(let produce):
            let chunked = head.version == .http1_1
            let closeAfter = !keepAlive || !chunked
            try await socket.write(HTTPResponseEncoder.encodeHead(
                status: response.status, headers: response.headers, framing: chunked ? .chunked : .untilClose,
                closeConnection: closeAfter, date: date), deadline: .now + configuration.writeTimeout)
            let writer = SocketBodyWriter(socket: socket, chunked: chunked, timeout: configuration.writeTimeout)
            try await produce(writer)
            if chunked { try await socket.write(HTTPResponseEncoder.lastChunk, deadline: .now + configuration.writeTimeout) }
            if closeAfter { throw SocketError.closed }
        case let .file(path, size):
            let head = HTTPResponseEncoder.encodeHead(
                status: response.status, headers: response.headers, framing: .contentLength(size),
                closeConnection: !keepAlive, date: date, announceKeepAlive: keepAlive && head.version == .http1_0)
            try await FileSender.send(path: path, size: size, after: head, over: socket, timeout: configuration.writeTimeout)
        case .empty, .bytes:
            preconditionFailure("fixed bodies are sent whole (encodedWhole)")
        }
    }

    /// The Date header's value, formatted again only when the second changes: kept per
    /// connection so no lock is shared between event loops on every response.
    private func currentDate() -> String {
        let second = Int(time(nil))
        if second != dateSecond {
            dateSecond = second
            dateText = HTTPDate.format(secondsSinceEpoch: second)
        }
        return dateText
    }

    private func writeSimple(_ response: HTTPResponse) async throws {
        var body: [UInt8] = []
        if case let .bytes(bytes) = response.body { body = bytes }
        let bytes = HTTPResponseEncoder.encodeHead(status: response.status, headers: response.headers,
                                                   framing: .contentLength(response.body.knownLength ?? 0),
                                                   closeConnection: true, date: HTTPDate.now(), followedBy: body)
        try await socket.write(bytes, deadline: .now + configuration.writeTimeout)
    }

    private func errorResponse(for error: any Error, request: HTTPRequestHead) -> HTTPResponse {
        if let error = error as? any HTTPResponseError {
            return .error(error.status, error.message)
        }
        if let error = error as? HTTPDecodingError {
            return .error(error.status, error.description)
        }
        if error is SocketError || error is CancellationError {
            // The client went away mid-request: nothing failed on our side.
            logger.debug("request abandoned", metadata: ["request": "\(request.method) \(request.target)", "error": "\(error)"])
            return .error(.internalServerError)
        }
        logger.error("handler failed", metadata: ["request": "\(request.method) \(request.target)", "error": "\(error)"])
        return .error(.internalServerError)
    }

    /// Half-closes, then reads and drops what the client still sends for a moment, so our last
    /// response is not destroyed by a TCP reset caused by unread request bytes.
    private func lingeringClose() async {
        socket.socket.shutdownWrite()
        let deadline = Deadline.now + .milliseconds(500)
        var discarded = 0
        while discarded < 1 << 20, let bytes = try? await socket.read(maxBytes: 64 * 1024, deadline: deadline), !bytes.isEmpty {
            discarded += bytes.count
        }
    }

    // MARK: Upgrade

    private func upgrade(request: HTTPRequestHead, response: HTTPResponse) async -> Bool {
        guard let upgrader = response.upgrader else { return false }
        let head = HTTPResponseEncoder.encodeHead(status: response.status, headers: response.headers,
                                                  framing: .noBody, closeConnection: false, date: HTTPDate.now())
        do {
            try await socket.write(head, deadline: .now + configuration.writeTimeout)
        } catch {
            return false
        }
        let connection = UpgradedConnection(socket: socket, request: request, remoteAddress: remoteAddress,
                                            bufferedBytes: decoder.takeUnconsumedBytes())
        await upgrader.takeOver(connection)
        connection.close()
        return true
    }
}

/// The body stalled longer than the body idle timeout, or arrived slower than the minimum rate.
struct HTTPBodyTimeoutError: HTTPResponseError {
    var status: HTTPStatus { .requestTimeout }
    var message: String { "request body stalled or arrived too slowly" }
}

/// A handler read one request's body from two tasks at once.
struct HTTPBodyConcurrentReadError: HTTPResponseError {
    var status: HTTPStatus { .internalServerError }
    var message: String { "the request body was read by two tasks at once" }
}

/// Routes a handler's body reads to its connection, tagged with the request they belong to
/// (a body kept past its request reads nothing).
struct ConnectionBodySource: HTTPBodySource {
    let connection: HTTPConnection
    let requestNumber: Int
    func nextBodyChunk() async throws -> [UInt8]? {
        try await connection.nextBodyChunk(requestNumber: requestNumber)
    }
}

/// Streams a response body to the socket, chunk-framed for HTTP/1.1.
struct SocketBodyWriter: HTTPBodyWriter {
    let socket: AsyncSocket
    let chunked: Bool
    let timeout: Duration
    func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await socket.write(chunked ? HTTPResponseEncoder.encodeChunk(bytes) : bytes, deadline: .now + timeout)
    }
}
