import Pipeline

/// The world the policies are compared in: the EC2 and SQS behaviour that matters to scaling.
public struct SimulationParameters: Sendable, Equatable {
    /// Seconds from launch until the worker takes its first job.
    public var bootSeconds = 60.0
    /// EC2 bills per second with a one-minute minimum.
    public var billingMinimumSeconds = 60.0
    /// `queues.longPollSeconds`, `worker.maxEmptyPollsBeforeShutdown`, `worker.parallelism`,
    /// `worker.receiveBatchSize`, from the configuration's defaults.
    public var longPollSeconds: Double
    public var maxEmptyPolls: Int
    public var parallelism: Int
    public var receiveBatchSize: Int
    public var serviceTimes = ServiceTimes()
    /// A run stops this long after the last arrival even if instances are still up (they are
    /// billed to here, and the report says so).
    public var tailLimitSeconds = 3600.0

    public init(configuration: Configuration = Configuration()) {
        longPollSeconds = Double(configuration.queues.longPollSeconds)
        maxEmptyPolls = configuration.worker.maxEmptyPollsBeforeShutdown
        parallelism = configuration.worker.parallelism
        receiveBatchSize = configuration.worker.receiveBatchSize
    }
}
