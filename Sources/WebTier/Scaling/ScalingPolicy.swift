import Foundation
import Pipeline

/// The autoscaling rule as a pure function of (backlog, fleet, settings, memory, time): no clock, no
/// AWS, so every case is a table row in the tests. The controller around it lists the fleet, asks
/// SQS for the backlog, calls `decide`, and carries out the decision.
///
/// The rule (the original design's, with a target of 1 image per instance and a cap of 19):
/// - desired = clamp(ceil(backlog / targetBacklogPerInstance), min, max), backlog = visible + in flight;
/// - capacity = our pending + running instances (stopping, shutting-down and terminated ones do not
///   count; launches not yet listed count as pending);
/// - launch desired - capacity, at most `maxLaunchesPerTick`, never above max, and not during the
///   cool-down after a launch;
/// - terminate instances stuck pending beyond `pendingTimeoutSeconds` (they are replaced within
///   max) and, when max was lowered, the excess: newest pending first, then newest running.
/// A low backlog never terminates a running instance: idle workers terminate themselves, so a
/// worker is never killed in the middle of a job by the controller.
public enum ScalingPolicy {
    /// How long a launched instance may be missing from listings before it is presumed gone.
    /// EC2 documents DescribeInstances as eventually consistent, typically for seconds; a minute
    /// covers that without blocking a slot for long when an instance really vanished.
    public static let unlistedLaunchGraceSeconds: Double = 60

    public static func decide(
        backlog: QueueBacklog,
        instances: [FleetInstance],
        settings: ScalingSettings,
        state: ScalingState,
        now: Date
    ) -> ScalingDecision {
        // Configuration.validate rejects these, but the rule must stay safe on any input: the
        // maximum wins over the minimum, and a zero target cannot divide.
        let maximum = max(settings.maxInstances, 0)
        let minimum = min(max(settings.minInstances, 0), maximum)
        let target = max(settings.targetBacklogPerInstance, 1)
        let perTick = max(settings.maxLaunchesPerTick, 1)

        let backlogTotal = backlog.total
        let wantedByBacklog = backlogTotal / target + (backlogTotal % target == 0 ? 0 : 1)
        let desired = min(max(wantedByBacklog, minimum), maximum)

        // One entry per id (a paged listing can repeat one, mid-transition), the most capable state
        // winning, so the result never depends on the listing's order.
        var byID: [String: FleetInstance] = [:]
        for instance in instances {
            if let seen = byID[instance.id], rank(seen) >= rank(instance) { continue }
            byID[instance.id] = instance
        }
        let live = byID.values.filter(\.state.countsAsCapacity).sorted(by: newestFirst)

        var nextState = state
        let grace = min(unlistedLaunchGraceSeconds, settings.pendingTimeoutSeconds)
        nextState.unlistedLaunches = state.unlistedLaunches.filter { id, launchedAt in
            byID[id] == nil && now.timeIntervalSince(launchedAt) < grace
        }
        let unlisted = nextState.unlistedLaunches.count

        let pending = live.filter { $0.state == .pending }.count + unlisted
        let running = live.filter { $0.state == .running }.count

        var terminations: [Termination] = []
        let stuck = live.filter {
            $0.state == .pending && now.timeIntervalSince($0.launchedAt) > settings.pendingTimeoutSeconds
        }
        for instance in stuck.reversed() {  // oldest first: the longest stuck is named first
            terminations.append(Termination(
                instanceID: instance.id,
                reason: .stuckPending(pendingSeconds: now.timeIntervalSince(instance.launchedAt),
                                      limitSeconds: settings.pendingTimeoutSeconds)))
        }
        let stuckIDs = Set(stuck.map(\.id))
        let remaining = live.filter { !stuckIDs.contains($0.id) }

        var capacity = remaining.count + unlisted
        if capacity > maximum {
            // Unlisted launches cannot be terminated yet (the fleet does not show them); if they
            // are the excess, they are handled once they appear.
            let candidates = remaining.filter { $0.state == .pending } + remaining.filter { $0.state == .running }
            for instance in candidates.prefix(capacity - maximum) {
                terminations.append(Termination(instanceID: instance.id, reason: .aboveMaximum(maximum: maximum)))
            }
            capacity -= min(capacity - maximum, candidates.count)
        }

        let wanted = max(desired - capacity, 0)
        let headroom = max(maximum - capacity, 0)
        var launch = 0
        var limit: LaunchLimit?
        if wanted > 0 {
            if let remainingCoolDown = coolDownRemaining(state: state, settings: settings, now: now) {
                limit = .coolDown(remainingSeconds: remainingCoolDown)
            } else {
                launch = min(wanted, perTick, headroom)
                if launch < wanted, launch == perTick { limit = .perTick(limit: perTick) }
            }
        }

        var decision = ScalingDecision(
            backlog: backlogTotal, desired: desired, pending: pending, running: running,
            launch: launch, terminations: terminations, heldBack: wanted - launch, limit: limit,
            explanation: "", nextState: nextState)
        decision.explanation = explain(decision, backlog: backlog, minimum: minimum, maximum: maximum, target: target)
        return decision
    }

    /// Seconds of cool-down left, or nil when a launch may start. A last launch in the future means
    /// the wall clock stepped back; the cool-down then counts as over rather than freezing scaling
    /// for as long as the step.
    static func coolDownRemaining(state: ScalingState, settings: ScalingSettings, now: Date) -> Double? {
        guard let last = state.lastLaunchAt else { return nil }
        let elapsed = now.timeIntervalSince(last)
        guard elapsed >= 0, elapsed < settings.launchCooldownSeconds else { return nil }
        return settings.launchCooldownSeconds - elapsed
    }

    static func rank(_ instance: FleetInstance) -> Int {
        switch instance.state {
        case .running: return 2
        case .pending: return 1
        default: return 0
        }
    }

    /// Newest launch first; the id breaks ties so the order never depends on the listing's order.
    static func newestFirst(_ left: FleetInstance, _ right: FleetInstance) -> Bool {
        left.launchedAt != right.launchedAt ? left.launchedAt > right.launchedAt : left.id > right.id
    }

    static func explain(_ decision: ScalingDecision, backlog: QueueBacklog, minimum: Int, maximum: Int, target: Int) -> String {
        var parts = [
            "backlog \(decision.backlog) (\(max(backlog.visible, 0)) waiting, \(max(backlog.inFlight, 0)) in flight)"
                + " → desired \(decision.desired) (\(target) per instance, min \(minimum), max \(maximum))",
            "capacity \(decision.capacity) (\(decision.pending) pending, \(decision.running) running)",
        ]
        if decision.launch > 0 { parts.append("launch \(decision.launch)") }
        if let limit = decision.limit { parts.append("holding \(decision.heldBack): \(limit)") }
        for termination in decision.terminations {
            parts.append("terminate \(termination.instanceID): \(termination.reason)")
        }
        if decision.launch == 0, decision.limit == nil, decision.terminations.isEmpty { parts.append("steady") }
        return parts.joined(separator: "; ")
    }
}
