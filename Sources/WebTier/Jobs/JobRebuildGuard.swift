import Synchronization

/// Why a job lookup was not tried.
public enum JobLookupRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// Too many rebuilds from S3 lately (`web.jobRebuildsPerSecond`): ask again after the wait.
    case rateLimited(retryAfterSeconds: Int)

    public var description: String {
        switch self {
        case let .rateLimited(seconds):
            return "too many lookups of jobs this server does not hold; retry in \(seconds) s"
        }
    }
}

/// Keeps job ids that are not held in memory from turning into S3 bills: each rebuild lists S3 at
/// least once, and anyone may ask for any id (`GET /api/jobs/{id}`, `/ws?job=`).
///
/// - An id S3 did not know is remembered as unknown for `unknownTTL`: asking again costs nothing.
/// - Concurrent lookups of one id share one rebuild.
/// - Rebuilds across all ids are rate-limited by a token bucket; past it the lookup is refused
///   (`JobLookupRefusal.rateLimited`, answered 429 with Retry-After) instead of queued.
public final class JobRebuildGuard: Sendable {
    public typealias Rebuild = @Sendable (String) async throws -> JobStatus?

    struct State {
        var bucket: TokenBucket
        /// Unknown ids and when they may be asked again, oldest first in `unknownOrder`.
        var unknown: [String: ContinuousClock.Instant] = [:]
        var unknownOrder: [String] = []
        var inFlight: [String: Task<JobStatus?, any Error>] = [:]
    }

    private let state: Mutex<State>
    public let unknownTTL: Duration
    /// Unknown ids remembered at most (the oldest are forgotten first).
    public let unknownCapacity: Int

    public init(ratePerSecond: Double, burst: Int, unknownTTL: Duration, unknownCapacity: Int = 100_000) {
        state = Mutex(State(bucket: TokenBucket(ratePerSecond: ratePerSecond, burst: burst)))
        self.unknownTTL = unknownTTL
        self.unknownCapacity = max(unknownCapacity, 1)
    }

    /// The job as `rebuild` finds it, nil when it is (recently found) unknown; throws
    /// `JobLookupRefusal` past the rate limit, or what `rebuild` throws.
    public func lookUp(_ jobId: String, rebuild: @escaping Rebuild) async throws -> JobStatus? {
        enum Step {
            case unknown
            case refused(Duration)
            case await(Task<JobStatus?, any Error>)
        }
        let now = ContinuousClock.now
        let step: Step = state.withLock { state in
            if let until = state.unknown[jobId] {
                if now < until { return .unknown }
                state.unknown[jobId] = nil
            }
            if let running = state.inFlight[jobId] { return .await(running) }
            if let wait = state.bucket.take(at: now) { return .refused(wait) }
            let task = Task { try await rebuild(jobId) }
            state.inFlight[jobId] = task
            return .await(task)
        }
        switch step {
        case .unknown:
            return nil
        case let .refused(wait):
            throw JobLookupRefusal.rateLimited(retryAfterSeconds: max(1, Int(wait.components.seconds) + 1))
        case let .await(task):
            let outcome = await task.result
            state.withLock { state in
                state.inFlight[jobId] = nil
                if case .success(nil) = outcome { remember(jobId, until: ContinuousClock.now + unknownTTL, in: &state) }
            }
            return try outcome.get()
        }
    }

    private func remember(_ jobId: String, until: ContinuousClock.Instant, in state: inout State) {
        if state.unknown.updateValue(until, forKey: jobId) == nil { state.unknownOrder.append(jobId) }
        guard state.unknownOrder.count > unknownCapacity else { return }
        // Forget the oldest ids, and the order entries of ids already forgotten.
        let excess = state.unknownOrder.count - unknownCapacity
        for dropped in state.unknownOrder.prefix(excess) { state.unknown[dropped] = nil }
        state.unknownOrder.removeFirst(excess)
    }

    /// Unknown ids remembered now.
    public var unknownCount: Int { state.withLock { $0.unknown.count } }
}
