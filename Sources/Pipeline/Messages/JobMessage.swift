import Foundation

/// One image to classify: the request queue's message body. Image bytes travel through S3, never
/// through SQS (messages are capped at 256 KiB and cost per 64 KiB).
public struct JobMessage: Codable, Sendable, Equatable {
    /// Schema version; a worker refuses versions it does not know instead of guessing.
    public var v: Int
    /// The upload (one browser request, many images) this image belongs to.
    public var jobId: String
    /// The key for idempotency: workers and the result hub dedup on it.
    public var imageId: String
    public var bucket: String
    public var key: String
    /// The user's file name after sanitising (display only; never used to build paths).
    public var fileName: String
    /// When the web tier accepted the image, in milliseconds since 1970 (for end-to-end latency).
    public var submittedAt: Int64

    public static let currentVersion = 1

    public init(jobId: String, imageId: String, bucket: String, key: String, fileName: String, submittedAt: Int64) {
        self.v = Self.currentVersion
        self.jobId = jobId
        self.imageId = imageId
        self.bucket = bucket
        self.key = key
        self.fileName = fileName
        self.submittedAt = submittedAt
    }
}
