/// A token bucket: `burst` tokens at most, refilled at `ratePerSecond`; each allowed action takes
/// one. Pure (the caller passes the time), so the rule is tested with a table of instants.
public struct TokenBucket: Sendable, Equatable {
    public let ratePerSecond: Double
    public let burst: Double
    private var tokens: Double
    private var updatedAt: ContinuousClock.Instant?

    public init(ratePerSecond: Double, burst: Int) {
        self.ratePerSecond = max(ratePerSecond, .leastNonzeroMagnitude)
        self.burst = Double(max(burst, 1))
        tokens = self.burst
    }

    /// Takes a token at `now`: nil when one was there, else how long until one will be.
    public mutating func take(at now: ContinuousClock.Instant) -> Duration? {
        if let updatedAt {
            let elapsed = updatedAt.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(burst, tokens + max(seconds, 0) * ratePerSecond)
        }
        updatedAt = now
        guard tokens >= 1 else { return .seconds((1 - tokens) / ratePerSecond) }
        tokens -= 1
        return nil
    }
}
