import Foundation

/// `GET /api/jobs/{id}`, and the body of the `snapshot` event a job's WebSocket sends first: the
/// job's images and every result so far. Rebuilt from S3 (manifest plus result objects) after a
/// web-tier restart, so the page can resume from it.
public struct JobStatus: Codable, Sendable, Equatable {
    public var jobId: String
    /// When the job was accepted, in milliseconds since 1970.
    public var submittedAt: Int64
    public var images: [AcceptedImage]
    /// One result per image at most, in the order they arrived.
    public var results: [ImageResult]
    public var counts: JobCounts
    /// Every image has a result (succeeded or failed).
    public var complete: Bool

    public init(jobId: String, submittedAt: Int64, images: [AcceptedImage], results: [ImageResult]) {
        // Delivery is at-least-once: a result may arrive twice; the first one stands. Results for
        // images not in the job (a stale or forged message) are not the job's.
        let known = Set(images.map(\.imageId))
        var seen = Set<String>()
        let kept = results.filter { known.contains($0.imageId) && seen.insert($0.imageId).inserted }
        self.jobId = jobId
        self.submittedAt = submittedAt
        self.images = images
        self.results = kept
        self.counts = JobCounts(total: images.count, results: kept)
        self.complete = counts.pending == 0
    }
}

/// How far a job is: `done` succeeded, `failed` have an error, `pending` have no result yet.
public struct JobCounts: Codable, Sendable, Equatable {
    public var total: Int
    public var done: Int
    public var failed: Int
    public var pending: Int

    public init(total: Int, done: Int, failed: Int, pending: Int) {
        self.total = total
        self.done = done
        self.failed = failed
        self.pending = pending
    }

    init(total: Int, results: [ImageResult]) {
        let failed = results.filter(\.failed).count
        self.init(total: total, done: results.count - failed, failed: failed,
                  pending: max(total - results.count, 0))
    }
}
