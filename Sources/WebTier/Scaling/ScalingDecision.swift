import Foundation

/// What one control tick decided: how many instances to launch, which to terminate and why, and
/// the numbers behind it (shown in the logs and on the page's fleet panel).
public struct ScalingDecision: Sendable, Equatable {
    /// The backlog the decision was made for (visible + in flight).
    public var backlog: Int
    /// clamp(ceil(backlog / targetBacklogPerInstance), min, max), or the `slo` policy's plan.
    public var desired: Int
    /// Our instances counted as pending (including launches no listing has shown yet) and running,
    /// before this decision's terminations.
    public var pending: Int
    public var running: Int
    /// Instances to start now. Never takes the fleet above the maximum.
    public var launch: Int
    /// Instances to terminate now, with the reason for each.
    public var terminations: [Termination]
    /// Launches the rule wanted but held back this tick, and what held them back.
    public var heldBack: Int
    public var limit: LaunchLimit?
    /// The `slo` policy's drain target and the drain time projected for the fleet once this
    /// decision is carried out (nil: the `backlog` policy, or no projection: no capacity).
    public var drainTargetSeconds: Double?
    public var projectedDrainSeconds: Double?
    /// A one-line account of the decision for logs and the page.
    public var explanation: String
    /// The state to carry into the next tick; record this tick's launch on it with
    /// `ScalingState.recordLaunch(ids:at:)` once the fleet has carried it out.
    public var nextState: ScalingState
    /// Our stopped instances (warm-pool members), not counted as capacity.
    public var stopped = 0
    /// New warm-pool members to launch while the queue is empty (`WarmPoolPrefill`); they stop
    /// themselves once ready.
    public var prefill = 0

    /// Pending plus running before the decision.
    public var capacity: Int { pending + running }
    /// Capacity once the terminations and launches (prefill included) are carried out.
    public var capacityAfter: Int { capacity - terminations.count + launch + prefill }
}

/// An instance the controller terminates. Scale-in is otherwise the workers' own business (an idle
/// worker terminates itself), so a low backlog is never a reason here.
public struct Termination: Sendable, Equatable, Hashable {
    public var instanceID: String
    public var reason: TerminationReason

    public init(instanceID: String, reason: TerminationReason) {
        self.instanceID = instanceID
        self.reason = reason
    }
}

public enum TerminationReason: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Still pending `pendingSeconds` after launch, beyond `pendingTimeoutSeconds` (a stuck launch;
    /// it is replaced within the maximum).
    case stuckPending(pendingSeconds: Double, limitSeconds: Double)
    /// The fleet is above a (lowered) maximum; the newest pending go first, then the newest running.
    case aboveMaximum(maximum: Int)
    /// Running without a worker heartbeat for longer than `scaling.heartbeatGraceSeconds`
    /// (`HeartbeatRule`); `everHeard` false means its worker never started working.
    case noHeartbeat(silentSeconds: Double, graceSeconds: Double, everHeard: Bool)
    /// The `slo` policy needs only `desired` instances and this one has been surplus for the
    /// scale-in delay and past its billed minimum. Its worker drains on the stop signal, so no job
    /// is lost.
    case surplus(desired: Int)

    /// Only surplus instances are healthy: a warm pool keeps them (stopped) instead of ending them.
    public var isSurplus: Bool {
        if case .surplus = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case let .stuckPending(pendingSeconds, limitSeconds):
            return "pending \(Int(pendingSeconds)) s, over the \(Int(limitSeconds)) s limit"
        case let .aboveMaximum(maximum):
            return "above the maximum of \(maximum)"
        case let .noHeartbeat(silentSeconds, graceSeconds, everHeard):
            return (everHeard ? "no worker heartbeat for" : "never heard from its worker in")
                + " \(Int(silentSeconds)) s, over the \(Int(graceSeconds)) s grace"
        case let .surplus(desired):
            return "surplus to the \(desired) the drain target needs"
        }
    }
}

/// Why fewer instances were launched than the rule wanted.
public enum LaunchLimit: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The last launch was too recent; `remainingSeconds` until the next may start.
    case coolDown(remainingSeconds: Double)
    /// `maxLaunchesPerTick` caps a single tick.
    case perTick(limit: Int)

    public var description: String {
        switch self {
        case let .coolDown(remaining):
            return "cool-down, \(Int(remaining.rounded(.up))) s left"
        case let .perTick(limit):
            return "at most \(limit) launches per tick"
        }
    }
}
