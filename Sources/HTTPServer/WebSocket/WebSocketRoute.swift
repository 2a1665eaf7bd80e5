/// Plugs WebSockets into the HTTP router: validates the upgrade request, answers 101 (or the
/// handshake's error status), then runs a `WSConnection` with the application's handler.
///
/// ```swift
/// router.get("/ws/echo", WebSocketRoute(handler: WSEchoHandler()))
/// ```
public struct WebSocketRoute: HTTPHandler {
    public let handshake: WSHandshake
    public let configuration: WSConfiguration
    public let handler: any WSHandler
    /// Compressors shared by this route's connections (server_no_context_takeover).
    let deflaterPool = WSDeflaterPool()
    /// Every open connection of this route, for `closeAll` and counts.
    let openConnections = WSHub(compressBroadcasts: false)

    /// Connections of this route that are open now.
    public var connectionCount: Int { openConnections.count }

    /// Sends a close frame (1001 by default) on every open connection of this route; call before
    /// stopping the server so browsers see "going away" rather than a dropped socket (1006).
    public func closeAll(_ code: WSCloseCode = .goingAway, reason: String = "server shutting down") {
        openConnections.closeAll(code, reason: reason)
    }

    public init(handshake: WSHandshake.Options = .init(), configuration: WSConfiguration = .init(),
                handler: any WSHandler) {
        self.handshake = WSHandshake(options: handshake)
        self.configuration = configuration
        self.handler = handler
    }

    public func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        let headers = request.headers
        let acceptance: WSHandshake.Acceptance
        do {
            acceptance = try handshake.accept(method: request.method.rawValue,
                                              httpVersion: request.head.version.description,
                                              headerValues: { headers.values(of: $0) })
        } catch {
            var response = HTTPResponse.error(Self.status(error.statusCode), error.description)
            for (name, value) in error.responseHeaders { response.headers.set(name, value) }
            return response
        }
        var responseHeaders = HTTPHeaders()
        for (name, value) in acceptance.responseHeaders { responseHeaders.append(name, value) }
        return .switchingProtocols(headers: responseHeaders, upgrader: WSUpgrader(
            acceptance: acceptance, configuration: configuration, handler: handler, path: String(request.path),
            deflaterPool: deflaterPool, openConnections: openConnections))
    }
}

extension WebSocketRoute {
    /// Statuses the handshake can refuse with, with their RFC 9110 reason phrases.
    static func status(_ code: Int) -> HTTPStatus {
        switch code {
        case 403: return HTTPStatus(code: 403, reasonPhrase: "Forbidden")
        case 405: return HTTPStatus(code: 405, reasonPhrase: "Method Not Allowed")
        case 426: return HTTPStatus(code: 426, reasonPhrase: "Upgrade Required")
        default: return HTTPStatus(code: 400, reasonPhrase: "Bad Request")
        }
    }
}

/// Takes the socket over after the 101 and runs the WebSocket connection on it.
struct WSUpgrader: ConnectionUpgrader {
    let acceptance: WSHandshake.Acceptance
    let configuration: WSConfiguration
    let handler: any WSHandler
    let path: String
    let deflaterPool: WSDeflaterPool
    let openConnections: WSHub

    func takeOver(_ upgraded: UpgradedConnection) async {
        let connection = WSConnection(transport: upgraded, configuration: configuration,
                                      subprotocol: acceptance.subprotocol, deflate: acceptance.deflate,
                                      remoteAddress: upgraded.remoteAddress, path: path, deflaterPool: deflaterPool)
        openConnections.add(connection)
        await connection.run(handler: handler, bufferedBytes: upgraded.bufferedBytes)
        openConnections.remove(connection)
    }
}
