import HTTPServer

/// Finds a job for the routes that read one: held here, or rebuilt from storage (and then held),
/// with rebuilds bounded by `rebuilds`.
struct JobLookup: Sendable {
    let jobs: JobStore
    let archive: JobArchive
    /// Bounds the storage listings that lookups of jobs not held here cost.
    let rebuilds: JobRebuildGuard
    let metrics: WebMetrics

    /// The job, or nil when storage has no image of it. Throws `JobLookupRefusal` when rebuilds
    /// are over their rate limit.
    func status(_ jobId: String) async throws -> JobStatus? {
        if let status = jobs.status(of: jobId) { return status }
        let archive = self.archive
        guard let rebuilt = try await rebuilds.lookUp(jobId, rebuild: { try await archive.rebuild(jobId: $0) }) else { return nil }
        jobs.adopt(rebuilt)
        return jobs.status(of: jobId) ?? rebuilt
    }

    /// 429 with Retry-After for a refused lookup; nil for other errors.
    func refusal(_ error: any Error) -> HTTPResponse? {
        guard case let JobLookupRefusal.rateLimited(seconds) = error else { return nil }
        metrics.update { $0.jobLookupsRefused += 1 }
        var response = HTTPResponse.error(.tooManyRequests, "\(error)")
        response.headers.set("Retry-After", String(seconds))
        return response
    }
}
