import Foundation
import HTTPServer

/// The test routes, each a real `WebSocketRoute` with a small handler.
struct Routes: Sendable {
    let echo: WebSocketRoute
    let chat: WebSocketRoute
    let fanout: WebSocketRoute
    let fanoutControl: WebSocketRoute
    let flood: WebSocketRoute
    let fastPing: WebSocketRoute

    init(options: Options) {
        let configuration = WSConfiguration(limits: .init(maxMessageSize: options.maxMessageSize),
                                            maxQueuedBytes: options.maxQueuedBytes)
        let handshake = WSHandshake.Options(subprotocols: ["test.v1"], permessageDeflate: options.deflate)
        let chatHub = WSHub()
        let fanoutHub = WSHub()
        echo = WebSocketRoute(handshake: handshake, configuration: configuration, handler: WSEchoHandler())
        chat = WebSocketRoute(handshake: handshake, configuration: configuration, handler: ChatHandler(hub: chatHub))
        fanout = WebSocketRoute(handshake: handshake, configuration: configuration, handler: HubMemberHandler(hub: fanoutHub))
        fanoutControl = WebSocketRoute(handshake: handshake, configuration: configuration,
                                       handler: BroadcastControlHandler(hub: fanoutHub))
        flood = WebSocketRoute(handshake: handshake, configuration: configuration, handler: FloodHandler())
        var pinging = configuration
        pinging.pingInterval = .milliseconds(200)
        pinging.pongTimeout = .milliseconds(400)
        fastPing = WebSocketRoute(handshake: handshake, configuration: pinging, handler: WSEchoHandler())
    }

    var all: [WebSocketRoute] { [echo, chat, fanout, fanoutControl, flood, fastPing] }

    /// Says 1001 to every client and waits (up to a second) for the closing handshakes.
    func closeAll() async {
        all.forEach { $0.closeAll() }
        for _ in 0..<100 where all.contains(where: { $0.connectionCount > 0 }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        switch request.path {
        case "/", "/ws-test.html":
            return HTTPResponse(contentType: "text/html; charset=utf-8", body: Array(TestPage.html.utf8))
        case "/ws/echo": return try await echo.handle(request)
        case "/ws/chat": return try await chat.handle(request)
        case "/ws/fanout": return try await fanout.handle(request)
        case "/ws/fanout-control": return try await fanoutControl.handle(request)
        case "/ws/flood": return try await flood.handle(request)
        case "/ws/fastping": return try await fastPing.handle(request)
        default: return .error(HTTPStatus(404))
        }
    }
}

/// Every chat message goes to every member, including the sender.
struct ChatHandler: WSHandler {
    let hub: WSHub
    func onOpen(_ connection: WSConnection) async {
        hub.add(connection)
        connection.send(text: "welcome \(connection.deflate?.responseHeaderValue ?? "uncompressed")")
    }
    func onMessage(_ message: WSMessage, from connection: WSConnection) async { hub.broadcast(message) }
    func onClose(_ connection: WSConnection, code: WSCloseCode, reason: String) async { hub.remove(connection) }
}

/// Joins the hub and only listens; replies "joined" so the benchmark knows it is a member.
struct HubMemberHandler: WSHandler {
    let hub: WSHub
    func onOpen(_ connection: WSConnection) async {
        hub.add(connection)
        connection.send(text: "joined")
    }
    func onMessage(_ message: WSMessage, from connection: WSConnection) async {}
    func onClose(_ connection: WSConnection, code: WSCloseCode, reason: String) async { hub.remove(connection) }
}

/// Each message received is broadcast to the hub; the reply reports how many members got it
/// and how long the hub took to encode (and compress) once and queue on every member.
struct BroadcastControlHandler: WSHandler {
    let hub: WSHub
    func onMessage(_ message: WSMessage, from connection: WSConnection) async {
        let clock = ContinuousClock()
        let started = clock.now
        let report = hub.broadcast(message)
        let elapsed = (clock.now - started).components
        let micros = elapsed.seconds * 1_000_000 + elapsed.attoseconds / 1_000_000_000_000
        connection.send(text: "sent \(report.enqueued) dropped \(report.dropped) closed \(report.closed) in \(micros) us")
    }
}

/// Sends 64 KiB binary messages as fast as it can until the queue overflows (the client is
/// expected not to read): shows the bounded queue closing a slow consumer with 1008.
struct FloodHandler: WSHandler {
    func onOpen(_ connection: WSConnection) async {
        Task {
            let chunk = [UInt8](repeating: 0x5A, count: 64 * 1024)
            var sent = 0
            while connection.send(binary: chunk) == .enqueued {
                sent += 1
                if sent % 16 == 0 { try? await Task.sleep(for: .milliseconds(1)) }
                if sent > 100_000 { break }
            }
        }
    }
    func onMessage(_ message: WSMessage, from connection: WSConnection) async {}
}
