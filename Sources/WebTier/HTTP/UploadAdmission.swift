import HTTPServer

extension WebContext {
    /// How both upload routes begin: the request counts as in flight while `handle` runs, and
    /// without the upload token (when one is configured) it is refused before its body is read.
    func admitUpload(_ request: HTTPRequest, _ handle: () async throws -> HTTPResponse) async rethrows -> HTTPResponse {
        metrics.update { $0.uploadRequests += 1; $0.intakeInFlight += 1 }
        defer { metrics.update { $0.intakeInFlight -= 1 } }
        guard authorization.allows(request.headers) else {
            metrics.update { $0.requestsRefused += 1 }
            return Self.unauthorized
        }
        return try await handle()
    }
}
