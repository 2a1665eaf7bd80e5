import Foundation

/// What the fleet panel draws, once per control tick: the queue, our instances, what the
/// autoscaler wants and why.
public struct FleetSnapshot: Codable, Sendable, Equatable {
    /// Milliseconds since 1970.
    public var at: Int64
    public var queue: QueueBacklog
    public var instances: InstanceCounts
    public var desired: Int
    /// The configured maximum (the chart's ceiling).
    public var max: Int
    /// The decision in words (`ScalingDecision.explanation`).
    public var explanation: String
    /// The `slo` policy's drain target and the drain time projected for the fleet it asked for
    /// (the panel shows "target 30 s, projected 24 s"); absent under the `backlog` policy.
    public var drainTargetSeconds: Double?
    public var projectedDrainSeconds: Double?
    /// `scaling.warmPool.size`, so the panel shows the pool even while no member is stopped;
    /// absent when the pool is off.
    public var warmPool: Int?

    public init(at: Int64, queue: QueueBacklog, instances: InstanceCounts, desired: Int, max: Int, explanation: String,
                drainTargetSeconds: Double? = nil, projectedDrainSeconds: Double? = nil, warmPool: Int? = nil) {
        self.at = at
        self.queue = queue
        self.instances = instances
        self.desired = desired
        self.max = max
        self.explanation = explanation
        self.drainTargetSeconds = drainTargetSeconds
        self.projectedDrainSeconds = projectedDrainSeconds
        self.warmPool = warmPool.flatMap { $0 > 0 ? $0 : nil }
    }

    /// The snapshot of one tick's decision.
    public init(decision: ScalingDecision, queue: QueueBacklog, maximum: Int, at date: Date, warmPool: Int = 0) {
        self.init(at: APIJSON.milliseconds(date), queue: queue,
                  instances: InstanceCounts(pending: decision.pending, running: decision.running, stopped: decision.stopped),
                  desired: decision.desired, max: maximum, explanation: decision.explanation,
                  drainTargetSeconds: decision.drainTargetSeconds, projectedDrainSeconds: decision.projectedDrainSeconds,
                  warmPool: warmPool)
    }
}

public struct InstanceCounts: Codable, Sendable, Equatable {
    public var pending: Int
    public var running: Int
    /// Stopped warm-pool members (`scaling.warmPool`): no capacity, started first on a scale-out.
    public var stopped: Int

    public init(pending: Int, running: Int, stopped: Int = 0) {
        self.pending = pending
        self.running = running
        self.stopped = stopped
    }
}
