/// How failed attempts are retried: exponential backoff with full jitter
/// (delay = random(0 ... min(maxDelay, baseDelay * 2^(attempt-1)))).
///
/// The random source and the sleeper are injectable so tests can check the bounds without
/// waiting; by default they are the system generator and `Task.sleep`.
public struct AWSRetryPolicy: Sendable {
    /// Total attempts including the first (1 means no retries).
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Returns a value in 0...1; the jitter fraction of the backoff cap.
    public var random: @Sendable () -> Double
    /// Waits for the given backoff.
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(20),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.random = random
        self.sleep = sleep
    }

    public static let `default` = AWSRetryPolicy()
    public static let none = AWSRetryPolicy(maxAttempts: 1)

    /// The upper bound of the delay before attempt `attempt + 1`, after `attempt` failures (1-based).
    public func backoffCap(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let cap = baseDelay * (1 << exponent)
        return cap < maxDelay ? cap : maxDelay
    }

    /// The full-jitter delay after `attempt` failures.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let fraction = min(max(random(), 0), 1)
        return backoffCap(afterAttempt: attempt) * fraction
    }
}
