import Foundation
import HTTPServer
import Logging
import Pipeline

/// What the routes share: the settings, the job store, the intake path and the checks.
public struct WebContext: Sendable {
    public let web: WebSettings
    public let policy: IntakePolicy
    public let authorization: UploadAuthorization
    public let origins: OriginCheck
    public let jobs: JobStore
    public let waiters: ResultWaiters
    public let submitter: JobSubmitter
    public let archive: JobArchive
    public let metrics: WebMetrics
    public let requests: any JobQueue
    public let fleet: FleetChannel
    public let spoolDirectory: String
    /// Shared by every upload being read: files stay in memory while it lasts (`web.intakeMemoryBytes`).
    public let memoryBudget: MultipartMemoryBudget
    public let logger: Logger

    /// The job held here, or rebuilt from S3 (and then held); nil when S3 has no image of it.
    public func jobStatus(_ jobId: String) async throws -> JobStatus? {
        if let status = jobs.status(of: jobId) { return status }
        guard let rebuilt = try await archive.rebuild(jobId: jobId) else { return nil }
        jobs.adopt(rebuilt)
        return jobs.status(of: jobId) ?? rebuilt
    }

    static func json<Payload: Encodable>(_ payload: Payload, status: HTTPStatus = .ok) -> HTTPResponse {
        var response = HTTPResponse.json(Array((try? APIJSON.encode(payload)) ?? Data("{}".utf8)), status: status)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    static let unauthorized: HTTPResponse = {
        var response = HTTPResponse.error(IntakeError.unauthorized.status, IntakeError.unauthorized.message)
        response.headers.set("WWW-Authenticate", "Bearer")
        return response
    }()
}
