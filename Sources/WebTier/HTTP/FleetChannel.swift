import HTTPServer
import Synchronization

/// Where fleet snapshots come from: web-fleet's `ScalingController` (an actor publishing one
/// `FleetSnapshot` per control tick). A protocol so the web tier runs without a controller (tests,
/// or a deployment with a fixed fleet) and so any publisher can be plugged in.
public protocol FleetSnapshotSource: Sendable {
    /// A stream of snapshots from now on; it ends when the source stops.
    func snapshots() async -> AsyncStream<FleetSnapshot>
}

/// A snapshot source that also learns from the results (the `slo` policy's throughput estimate).
public protocol FleetResultObserver: Sendable {
    func recordResult(worker: String, inferenceMs: Double) async
}

/// `/ws/fleet`: forwards every snapshot of the source to the connected sockets (encoded once per
/// tick) and greets a new socket with the latest one, so the panel draws at once.
public final class FleetChannel: Sendable {
    private let hub = WSHub()
    private let latestSnapshot = Mutex<FleetSnapshot?>(nil)
    private let forwarding = Mutex<Task<Void, Never>?>(nil)
    private let resultObserver = Mutex<(any FleetResultObserver)?>(nil)

    public init() {}

    public var latest: FleetSnapshot? { latestSnapshot.withLock { $0 } }
    public var subscriberCount: Int { hub.count }

    /// Starts forwarding `source`'s snapshots; a later call replaces the earlier source.
    public func attach(_ source: any FleetSnapshotSource) {
        let task = Task { [self] in
            for await snapshot in await source.snapshots() {
                publish(snapshot)
            }
        }
        forwarding.withLock { $0?.cancel(); $0 = task }
        resultObserver.withLock { $0 = source as? any FleetResultObserver }
    }

    public func detach() {
        forwarding.withLock { $0?.cancel(); $0 = nil }
        resultObserver.withLock { $0 = nil }
    }

    /// Passes a result's worker and inference time to the source, if it learns from them.
    public func recordResult(worker: String, inferenceMs: Double) {
        guard let observer = resultObserver.withLock({ $0 }) else { return }
        Task { await observer.recordResult(worker: worker, inferenceMs: inferenceMs) }
    }

    /// Sends one snapshot to every socket and keeps it for newcomers.
    public func publish(_ snapshot: FleetSnapshot) {
        latestSnapshot.withLock { $0 = snapshot }
        if let text = try? APIJSON.encodeString(WebSocketEvent.fleet(snapshot)) {
            hub.broadcast(.text(text))
        }
    }

    func join(_ connection: WSConnection) {
        hub.add(connection)
        if let snapshot = latest, let text = try? APIJSON.encodeString(WebSocketEvent.fleet(snapshot)) {
            connection.send(text: text)
        }
    }

    func leave(_ connection: WSConnection) { hub.remove(connection) }

    /// Tells every socket the server is going away (they reconnect to the next instance).
    func closeAll() {
        if let text = try? APIJSON.encodeString(WebSocketEvent.error(EventError(code: .shuttingDown, message: "the web tier is stopping"))) {
            hub.broadcast(.text(text))
        }
    }
}

/// `GET /ws/fleet`, checked like the job sockets.
struct FleetSocketRoute: HTTPHandler {
    let origins: OriginCheck
    let authorization: UploadAuthorization
    let route: WebSocketRoute

    init(origins: OriginCheck, authorization: UploadAuthorization, fleet: FleetChannel, metrics: WebMetrics) {
        self.origins = origins
        self.authorization = authorization
        // The handler ignores what the browser sends: small inbound limits.
        route = WebSocketRoute(configuration: .serverPush, handler: FleetSocketHandler(fleet: fleet, metrics: metrics))
    }

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard origins.allows(request.headers) else {
            return .error(.forbidden, "this origin may not open WebSockets here")
        }
        guard authorization.allows(request.headers) else { return WebContext.unauthorized }
        return try await route.handle(request)
    }
}

struct FleetSocketHandler: WSHandler {
    let fleet: FleetChannel
    let metrics: WebMetrics

    func onOpen(_ connection: WSConnection) async {
        metrics.update { $0.webSockets += 1 }
        fleet.join(connection)
    }

    func onMessage(_ message: WSMessage, from connection: WSConnection) async {}

    func onClose(_ connection: WSConnection, code: WSCloseCode, reason: String) async {
        metrics.update { $0.webSockets -= 1 }
        fleet.leave(connection)
    }
}
