import Pipeline
import Synchronization

/// The request queue's depth for `/metrics`, read from the queue at most once per `maxAge`:
/// scrapes in between get the last answer, concurrent scrapes share one read. `/metrics` needs no
/// token, so without this every scrape (or a flood of them) would be an SQS request.
///
/// A failed read is remembered too (as nil, the gauge left out) so an unreachable queue is not
/// asked on every scrape either.
public final class QueueDepthCache: Sendable {
    struct State {
        var depth: QueueDepth?
        var readAt: ContinuousClock.Instant?
        var reading: Task<QueueDepth?, Never>?
    }

    private let queue: any JobQueue
    public let maxAge: Duration
    private let state = Mutex(State())

    public init(queue: any JobQueue, maxAge: Duration) {
        self.queue = queue
        self.maxAge = maxAge
    }

    /// The depth read at most `maxAge` ago; nil when the last read failed.
    public func depth() async -> QueueDepth? {
        enum Step {
            case cached(QueueDepth?)
            case await(Task<QueueDepth?, Never>)
        }
        let step: Step = state.withLock { current in
            if let readAt = current.readAt, readAt.duration(to: .now) < maxAge { return .cached(current.depth) }
            if let reading = current.reading { return .await(reading) }
            let reading = Task { [self] in
                let depth = try? await queue.depth()
                state.withLock { $0 = State(depth: depth, readAt: .now, reading: nil) }
                return depth
            }
            current.reading = reading
            return .await(reading)
        }
        switch step {
        case let .cached(depth): return depth
        case let .await(reading): return await reading.value
        }
    }
}
