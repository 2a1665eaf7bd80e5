import Foundation

/// One class and its probability.
public struct Prediction: Codable, Sendable, Equatable {
    public var label: String
    public var score: Double

    public init(label: String, score: Double) {
        self.label = label
        self.score = score
    }
}

/// The outcome of one job: the response queue's message body, and the JSON stored beside the
/// audit object in S3 so that a job's results can be rebuilt after a web-tier restart.
///
/// `error` present means a classified failure (undecodable image, over the limits) that must not
/// be retried; then `label` is nil and `top5` is empty.
public struct ResultMessage: Codable, Sendable, Equatable {
    public var v: Int
    public var jobId: String
    public var imageId: String
    public var fileName: String
    public var label: String?
    public var top5: [Prediction]
    public var model: String
    /// Which worker produced it (instance id or local process name).
    public var worker: String
    public var inferenceMs: Double
    public var error: String?

    public init(
        jobId: String, imageId: String, fileName: String, label: String?, top5: [Prediction],
        model: String, worker: String, inferenceMs: Double, error: String? = nil
    ) {
        self.v = JobMessage.currentVersion
        self.jobId = jobId
        self.imageId = imageId
        self.fileName = fileName
        self.label = label
        self.top5 = top5
        self.model = model
        self.worker = worker
        self.inferenceMs = inferenceMs
        self.error = error
    }

    /// A classified failure for `job`: stored and delivered like a success, never retried.
    public static func failure(for job: JobMessage, reason: String, model: String, worker: String) -> ResultMessage {
        ResultMessage(jobId: job.jobId, imageId: job.imageId, fileName: job.fileName, label: nil, top5: [],
                      model: model, worker: worker, inferenceMs: 0, error: reason)
    }

    /// The original design's S3 audit body: `fileName,label` (label empty for a failure).
    public var auditBody: String { "\(fileName),\(label ?? "")" }

    /// The course-compatible reply: `<file name without extension>:<label>` (e.g. `test_93:church`).
    public var courseReply: String { "\(CourseNaming.stem(of: fileName)):\(label ?? "error")" }
}
