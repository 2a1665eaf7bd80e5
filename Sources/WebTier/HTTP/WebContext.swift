import Foundation
import HTTPServer
import Logging
import Pipeline

/// What the web tier's routes are built from (`WebRoutes`); each route takes only the parts it
/// uses.
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
    /// The request queue's depth for `/metrics`, read at most every `web.queueDepthCacheSeconds`.
    public let queueDepth: QueueDepthCache
    /// Bounds the S3 listings that lookups of jobs not held here cost.
    public let rebuilds: JobRebuildGuard
    public let fleet: FleetChannel
    /// This web tier's own directory for upload spool files.
    public let spoolDirectory: SpoolDirectory
    /// Shared by every upload being read: files stay in memory while it lasts (`web.intakeMemoryBytes`).
    public let memoryBudget: MultipartBudget
    /// Shared by every upload being read: files spill to disk while it lasts (`web.spoolDiskBytes`),
    /// then uploads are refused with 503 and Retry-After.
    public let spoolBudget: MultipartBudget
    public let logger: Logger

    /// The job held here, or rebuilt from S3 (and then held); nil when S3 has no image of it.
    /// Throws `JobLookupRefusal` when rebuilds are over their rate limit.
    public func jobStatus(_ jobId: String) async throws -> JobStatus? {
        try await lookup.status(jobId)
    }

    var lookup: JobLookup { JobLookup(jobs: jobs, archive: archive, rebuilds: rebuilds, metrics: metrics) }

    var uploadAdmission: UploadAdmission {
        UploadAdmission(authorization: authorization, metrics: metrics, policy: policy, spoolDirectory: spoolDirectory,
                        memoryBudget: memoryBudget, spoolBudget: spoolBudget)
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
