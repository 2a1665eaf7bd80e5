import HTTPServer
import Logging
import Pipeline

/// `GET /api/jobs/{id}` → `JobStatus` (held here, or rebuilt from S3 after a restart); 404 for an
/// unknown job, 400 for something that is not one of our ids (checked before any S3 request), 429
/// with Retry-After past the rebuild rate limit.
struct JobStatusRoute: HTTPHandler {
    let lookup: JobLookup
    let logger: Logger

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let jobId = request.routeParameters["id"], ObjectNaming.isValidID(jobId) else {
            return .error(.badRequest, "a job id is 32 lowercase hex digits")
        }
        do {
            guard let status = try await lookup.status(jobId) else { return .error(.notFound, "no job \(jobId)") }
            return WebContext.json(status)
        } catch {
            if let refusal = lookup.refusal(error) { return refusal }
            logger.warning("job rebuild failed", metadata: ["job": "\(jobId)", "error": "\(error)"])
            return .error(.serviceUnavailable, "the job could not be read from storage; retry later")
        }
    }
}

/// `GET /ws?job={id}`: a WebSocket that sends the job's `snapshot`, then each `result`. A bad or
/// unknown job gets an `error` event and a close. Origin and token are checked before the upgrade.
struct JobSocketRoute: HTTPHandler {
    let lookup: JobLookup
    let origins: OriginCheck
    let authorization: UploadAuthorization

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard origins.allows(request.headers) else {
            return .error(.forbidden, "this origin may not open WebSockets here")
        }
        guard authorization.allows(request.headers) else { return WebContext.unauthorized }
        let jobId = request.queryParameter("job") ?? ""
        let opening: JobSocketHandler.Opening
        if !ObjectNaming.isValidID(jobId) {
            opening = .refuse(EventError(code: .badRequest, message: "the job parameter must be a job id (32 lowercase hex digits)"))
        } else {
            do {
                opening = try await lookup.status(jobId) == nil
                    ? .refuse(EventError(code: .unknownJob, message: "no job \(jobId)"))
                    : .follow(jobId)
            } catch {
                return lookup.refusal(error) ?? .error(.serviceUnavailable, "the job could not be read from storage; retry later")
            }
        }
        // The handler ignores what the browser sends: small inbound limits.
        let route = WebSocketRoute(configuration: .serverPush, handler: JobSocketHandler(jobs: lookup.jobs, metrics: lookup.metrics, opening: opening))
        return try await route.handle(request)
    }
}

struct JobSocketHandler: WSHandler {
    enum Opening: Sendable {
        case follow(String)
        case refuse(EventError)
    }

    let jobs: JobStore
    let metrics: WebMetrics
    let opening: Opening

    func onOpen(_ connection: WSConnection) async {
        metrics.update { $0.webSockets += 1 }
        switch opening {
        case let .follow(jobId):
            if !jobs.subscribe(connection, to: jobId) {
                Self.refuse(connection, EventError(code: .unknownJob, message: "no job \(jobId)"))
            }
        case let .refuse(error):
            Self.refuse(connection, error)
        }
    }

    func onMessage(_ message: WSMessage, from connection: WSConnection) async {}

    func onClose(_ connection: WSConnection, code: WSCloseCode, reason: String) async {
        metrics.update { $0.webSockets -= 1 }
        jobs.unsubscribe(connection)
    }

    static func refuse(_ connection: WSConnection, _ error: EventError) {
        if let text = try? APIJSON.encodeString(WebSocketEvent.error(error)) { connection.send(text: text) }
        connection.close(.policyViolation, reason: error.code.rawValue)
    }
}
