import HTTPServer

/// `GET /api/jobs`: the newest jobs held here (`web.jobListLimit`), newest first.
///
/// Job ids are the only secret between users: a list would hand every job to whoever asks. So it
/// needs the upload token, and without a configured token (the local default, with no notion of
/// who is who) it is refused with 403: the page keeps its own jobs in the browser instead.
struct JobListRoute: HTTPHandler {
    let authorization: UploadAuthorization
    let jobs: JobStore
    /// `web.jobListLimit`.
    let limit: Int

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard authorization.isRequired else {
            return .error(.forbidden, "listing jobs needs an upload token (web.uploadToken) on this server")
        }
        guard authorization.allows(request.headers) else { return WebContext.unauthorized }
        return WebContext.json(JobList(jobs: jobs.recent(limit: limit).map(JobSummary.init)))
    }
}
