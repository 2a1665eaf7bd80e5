import AWS

extension AWSClients {
    /// The retries of a tier's start-up lookups: long enough to outlast a brief outage or a burst
    /// of 503s and resets (about 15 s at worst), where the ordinary policy gives up within a
    /// second. A web tier that exits at start-up leaves every open page without results until
    /// someone restarts it; waiting a few seconds is the better trade. Answers (a missing queue,
    /// a refused signature) are not retried and still fail at once.
    public static func startupRetryPolicy(atLeast attempts: Int) -> AWSRetryPolicy {
        AWSRetryPolicy(maxAttempts: max(attempts, 8), baseDelay: .milliseconds(250), maxDelay: .seconds(4))
    }

    /// These clients with `policy` instead of their own, on a transport of their own (start-up
    /// makes a handful of calls; the running tier keeps the configured policy).
    public func retrying(with policy: AWSRetryPolicy) -> AWSClients {
        var configuration = configuration
        configuration.retryPolicy = policy
        return AWSClients(configuration: configuration)
    }
}
