import Foundation
import Logging
import Pipeline

/// Where a result from the response queue goes: the job store (which sends it to the job's
/// WebSockets), a course-style request waiting for it, and the metrics.
public struct ResultRouter: Sendable {
    public let jobs: JobStore
    public let waiters: ResultWaiters
    public let metrics: WebMetrics
    /// The autoscaler learns the fleet's pace from the results (nil: no autoscaler to tell).
    public let fleet: FleetChannel?

    public init(jobs: JobStore, waiters: ResultWaiters, metrics: WebMetrics, fleet: FleetChannel? = nil) {
        self.jobs = jobs
        self.waiters = waiters
        self.metrics = metrics
        self.fleet = fleet
    }

    /// Routes one result; returns whether it was new to a job held here.
    @discardableResult
    public func route(_ message: ResultMessage, receivedAt: Date = Date()) -> Bool {
        let completedAt = APIJSON.milliseconds(receivedAt)
        let submittedAt = jobs.submittedAt(of: message.jobId)
        let result = ImageResult(message, submittedAt: submittedAt, completedAt: completedAt)
        let outcome = jobs.record(result)
        metrics.update { counters in
            counters.resultsReceived += 1
            if outcome == .recorded, let latency = result.latencyMs {
                counters.latency.observe(seconds: Double(latency) / 1000)
            } else if outcome == .duplicate {
                counters.duplicateResults += 1
            }
        }
        waiters.resolve(message.imageId, with: message)
        // Any worker's pace counts, a job this web tier does not hold included; a redelivery does not.
        if outcome != .duplicate { fleet?.recordResult(worker: message.worker, inferenceMs: message.inferenceMs) }
        return outcome == .recorded
    }
}
