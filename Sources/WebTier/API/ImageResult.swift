import Foundation
import Pipeline

/// One image's outcome as the page sees it: the worker's `ResultMessage` (the one result type;
/// its schema version is not shown) plus when it completed and the end-to-end latency from intake.
///
/// A failure has `error` and no `label`; absent optionals are omitted from the JSON.
public struct ImageResult: Codable, Sendable, Equatable {
    /// The worker's result, as the response queue carried it.
    public var message: ResultMessage
    /// Intake to result, in milliseconds; absent when the submission time is unknown.
    public var latencyMs: Int64?
    /// When the web tier received the result, in milliseconds since 1970.
    public var completedAt: Int64

    public var jobId: String {
        get { message.jobId }
        set { message.jobId = newValue }
    }
    public var imageId: String {
        get { message.imageId }
        set { message.imageId = newValue }
    }
    public var fileName: String {
        get { message.fileName }
        set { message.fileName = newValue }
    }
    public var label: String? {
        get { message.label }
        set { message.label = newValue }
    }
    public var top5: [Prediction] {
        get { message.top5 }
        set { message.top5 = newValue }
    }
    public var model: String {
        get { message.model }
        set { message.model = newValue }
    }
    public var worker: String {
        get { message.worker }
        set { message.worker = newValue }
    }
    /// Time in the model (and preprocessing), as the worker measured it.
    public var inferenceMs: Double {
        get { message.inferenceMs }
        set { message.inferenceMs = newValue }
    }
    public var error: String? {
        get { message.error }
        set { message.error = newValue }
    }

    public init(
        jobId: String, imageId: String, fileName: String, label: String?, top5: [Prediction], model: String,
        worker: String, inferenceMs: Double, latencyMs: Int64?, completedAt: Int64, error: String?
    ) {
        message = ResultMessage(jobId: jobId, imageId: imageId, fileName: fileName, label: label, top5: top5,
                                model: model, worker: worker, inferenceMs: inferenceMs, error: error)
        self.latencyMs = latencyMs
        self.completedAt = completedAt
    }

    /// `submittedAt` is the job message's intake time (ms since 1970); a clock that went backwards
    /// gives no latency rather than a negative one.
    public init(_ message: ResultMessage, submittedAt: Int64?, completedAt: Int64) {
        self.message = message
        latencyMs = submittedAt.map { completedAt - $0 }.flatMap { $0 >= 0 ? $0 : nil }
        self.completedAt = completedAt
    }

    public var failed: Bool { error != nil }

    // The page's JSON: the message's fields (without `v`) beside the two of the web tier.
    private enum CodingKeys: String, CodingKey {
        case jobId, imageId, fileName, label, top5, model, worker, inferenceMs, latencyMs, completedAt, error
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(jobId: try container.decode(String.self, forKey: .jobId),
                  imageId: try container.decode(String.self, forKey: .imageId),
                  fileName: try container.decode(String.self, forKey: .fileName),
                  label: try container.decodeIfPresent(String.self, forKey: .label),
                  top5: try container.decode([Prediction].self, forKey: .top5),
                  model: try container.decode(String.self, forKey: .model),
                  worker: try container.decode(String.self, forKey: .worker),
                  inferenceMs: try container.decode(Double.self, forKey: .inferenceMs),
                  latencyMs: try container.decodeIfPresent(Int64.self, forKey: .latencyMs),
                  completedAt: try container.decode(Int64.self, forKey: .completedAt),
                  error: try container.decodeIfPresent(String.self, forKey: .error))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(jobId, forKey: .jobId)
        try container.encode(imageId, forKey: .imageId)
        try container.encode(fileName, forKey: .fileName)
        try container.encodeIfPresent(label, forKey: .label)
        try container.encode(top5, forKey: .top5)
        try container.encode(model, forKey: .model)
        try container.encode(worker, forKey: .worker)
        try container.encode(inferenceMs, forKey: .inferenceMs)
        try container.encodeIfPresent(latencyMs, forKey: .latencyMs)
        try container.encode(completedAt, forKey: .completedAt)
        try container.encodeIfPresent(error, forKey: .error)
    }
}
