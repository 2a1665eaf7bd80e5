import HTTPServer

/// How both upload routes begin and read their body: the request counts as in flight while it is
/// handled, without the upload token (when one is configured) it is refused before its body is
/// read, and the body is read within the intake's limits and budgets.
struct UploadAdmission: Sendable {
    let authorization: UploadAuthorization
    let metrics: WebMetrics
    let policy: IntakePolicy
    let spoolDirectory: SpoolDirectory
    /// Shared by every upload being read (`web.intakeMemoryBytes`, `web.spoolDiskBytes`).
    let memoryBudget: MultipartBudget
    let spoolBudget: MultipartBudget

    func admit(_ request: HTTPRequest, _ handle: () async throws -> HTTPResponse) async rethrows -> HTTPResponse {
        metrics.update { $0.uploadRequests += 1; $0.intakeInFlight += 1 }
        defer { metrics.update { $0.intakeInFlight -= 1 } }
        guard authorization.allows(request.headers) else {
            metrics.update { $0.requestsRefused += 1 }
            return WebContext.unauthorized
        }
        return try await handle()
    }

    /// The upload in `fieldName`, under `policy` (the intake's own unless a route narrows it).
    func read(_ request: HTTPRequest, fieldName: String, policy: IntakePolicy? = nil) async throws(IntakeError) -> ReceivedUpload {
        try await ReceivedUpload.read(request, fieldName: fieldName, policy: policy ?? self.policy,
                                      spoolDirectory: spoolDirectory.path,
                                      memoryBudget: memoryBudget, spoolBudget: spoolBudget)
    }
}
