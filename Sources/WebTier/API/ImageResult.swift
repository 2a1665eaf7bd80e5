import Foundation
import Pipeline

/// One image's outcome as the page sees it: the worker's `ResultMessage` (without its schema
/// version) plus when it completed and the end-to-end latency from intake.
///
/// A failure has `error` and no `label`; absent optionals are omitted from the JSON.
public struct ImageResult: Codable, Sendable, Equatable {
    public var jobId: String
    public var imageId: String
    public var fileName: String
    public var label: String?
    public var top5: [Prediction]
    public var model: String
    public var worker: String
    /// Time in the model (and preprocessing), as the worker measured it.
    public var inferenceMs: Double
    /// Intake to result, in milliseconds; absent when the submission time is unknown.
    public var latencyMs: Int64?
    /// When the web tier received the result, in milliseconds since 1970.
    public var completedAt: Int64
    public var error: String?

    public init(
        jobId: String, imageId: String, fileName: String, label: String?, top5: [Prediction], model: String,
        worker: String, inferenceMs: Double, latencyMs: Int64?, completedAt: Int64, error: String?
    ) {
        self.jobId = jobId
        self.imageId = imageId
        self.fileName = fileName
        self.label = label
        self.top5 = top5
        self.model = model
        self.worker = worker
        self.inferenceMs = inferenceMs
        self.latencyMs = latencyMs
        self.completedAt = completedAt
        self.error = error
    }

    /// `submittedAt` is the job message's intake time (ms since 1970); a clock that went backwards
    /// gives no latency rather than a negative one.
    public init(_ message: ResultMessage, submittedAt: Int64?, completedAt: Int64) {
        let latency = submittedAt.map { completedAt - $0 }.flatMap { $0 >= 0 ? $0 : nil }
        self.init(jobId: message.jobId, imageId: message.imageId, fileName: message.fileName,
                  label: message.label, top5: message.top5, model: message.model, worker: message.worker,
                  inferenceMs: message.inferenceMs, latencyMs: latency, completedAt: completedAt,
                  error: message.error)
    }

    public var failed: Bool { error != nil }
}
