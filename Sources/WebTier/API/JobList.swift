import Foundation

/// `GET /api/jobs`: the jobs this web tier holds, newest first, at most `web.jobListLimit`.
public struct JobList: Codable, Sendable, Equatable {
    public var jobs: [JobSummary]

    public init(jobs: [JobSummary]) {
        self.jobs = jobs
    }
}

/// One job of the list: how far it is, without its images and results (`GET /api/jobs/{id}`
/// has those).
public struct JobSummary: Codable, Sendable, Equatable {
    public var jobId: String
    public var submittedAt: Int64
    public var counts: JobCounts
    public var complete: Bool

    public init(_ status: JobStatus) {
        jobId = status.jobId
        submittedAt = status.submittedAt
        counts = status.counts
        complete = status.complete
    }
}
