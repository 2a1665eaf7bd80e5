import Foundation

/// The worker's counters: what it finished, how, and how long jobs took from receive to delete.
public actor WorkerStats {
    public struct Snapshot: Sendable, Equatable {
        public var classified = 0
        /// Jobs that ended with an `error` result (the image was refused).
        public var rejected = 0
        /// Jobs left on the queue for redelivery after a transient failure.
        public var transientFailures = 0
        /// Messages that were not jobs, left for the dead-letter queue.
        public var malformed = 0
        public var heartbeats = 0
        /// Jobs given up after `worker.jobDeadlineSeconds` (released for a retry).
        public var abandoned = 0
        /// Abandoned jobs whose work is still running (a stuck decode or model run).
        public var stuck = 0
        public var meanLatencyMs = 0.0
        public var p95LatencyMs = 0.0

        public var completed: Int { classified + rejected }
    }

    private var snapshot = Snapshot()
    /// The latest latencies, a bounded window so a long-running worker uses constant memory.
    private var latencies: [Double] = []
    private let window = 2048

    public init() {}

    func recordCompleted(rejected: Bool, latencyMs: Double) {
        if rejected { snapshot.rejected += 1 } else { snapshot.classified += 1 }
        if latencies.count == window { latencies.removeFirst(window / 4) }
        latencies.append(latencyMs)
    }

    func recordTransientFailure() { snapshot.transientFailures += 1 }
    func recordMalformed() { snapshot.malformed += 1 }
    func recordHeartbeat() { snapshot.heartbeats += 1 }
    func recordAbandoned() { snapshot.abandoned += 1 }
    func recordStuck(_ count: Int) { snapshot.stuck = count }

    public func current() -> Snapshot {
        var result = snapshot
        if !latencies.isEmpty {
            result.meanLatencyMs = latencies.reduce(0, +) / Double(latencies.count)
            let sorted = latencies.sorted()
            result.p95LatencyMs = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.95).rounded(.up)) - 1)]
        }
        return result
    }
}
