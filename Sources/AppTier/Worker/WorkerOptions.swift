import Pipeline

/// What one worker needs to know, taken from the shared `Configuration`.
public struct WorkerOptions: Sendable, Equatable {
    /// How results name this worker: the EC2 instance id, or `local-<pid>`.
    public var workerName: String
    public var outputBucket: String
    /// Jobs must name an image in this bucket, under `ObjectNaming.uploadsPrefix`.
    public var inputBucket: String
    public var visibilityTimeoutSeconds: Int
    public var longPollSeconds: Int
    public var receiveBatchSize: Int
    /// Jobs held at once (downloading, waiting for the model, or uploading results).
    public var parallelism: Int
    public var maxEmptyPollsBeforeShutdown: Int
    public var drainSeconds: Int
    public var maxImageBytes: Int
    public var maxInferenceBatch: Int
    public var statsIntervalSeconds: Int
    /// A job still running after this long is abandoned and its message released.
    public var jobDeadline: Duration
    /// Seconds between liveness messages on the response queue; 0: none.
    public var heartbeatSeconds: Int
    /// Also store `(<stem>, <label>)` at `<stem>` in the output bucket (the course's format).
    public var courseOutput: Bool

    public init(configuration: Configuration, workerName: String) {
        self.workerName = workerName
        outputBucket = configuration.storage.outputBucket
        visibilityTimeoutSeconds = configuration.queues.visibilityTimeoutSeconds
        longPollSeconds = configuration.queues.longPollSeconds
        receiveBatchSize = configuration.worker.receiveBatchSize
        parallelism = configuration.worker.parallelism
        maxEmptyPollsBeforeShutdown = configuration.worker.maxEmptyPollsBeforeShutdown
        drainSeconds = configuration.worker.drainSeconds
        maxImageBytes = configuration.model.maxImageBytes
        maxInferenceBatch = configuration.worker.maxInferenceBatch
        statsIntervalSeconds = configuration.worker.statsIntervalSeconds
        inputBucket = configuration.storage.inputBucket
        jobDeadline = .seconds(configuration.worker.jobDeadlineSeconds)
        heartbeatSeconds = configuration.worker.heartbeatSeconds
        courseOutput = configuration.worker.courseOutput
    }

    /// Heartbeats renew a job's invisibility at half the timeout, so one lost heartbeat is survivable.
    var heartbeatInterval: Duration { .milliseconds(max(500, visibilityTimeoutSeconds * 500)) }
}
