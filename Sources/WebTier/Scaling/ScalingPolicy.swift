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
///
/// With `scaling.policy = slo` the desired count is `DrainTargetPlan`'s instead: just enough
/// instances to answer the backlog within `drainTargetSeconds`, from the learned throughput
/// (`state.demand`) and the boot time. It also scales in: instances beyond the plan for
/// `scaleInDelaySeconds`, and past their billed minute, are terminated (their workers drain on
/// the stop signal). Workers in a shared stream rarely see enough empty polls in a row to idle out.
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
        var desired = min(max(wantedByBacklog, minimum), maximum)

        // One entry per id (a paged listing can repeat one, mid-transition), the most capable state
        // winning, so the result never depends on the listing's order.
        var byID: [String: FleetInstance] = [:]
        for instance in instances {
            if let seen = byID[instance.id], rank(seen) >= rank(instance) { continue }
            byID[instance.id] = instance
        }
        let live = byID.values.filter(\.state.countsAsCapacity).sorted(by: newestFirst)
        // Stopped warm-pool members: the next launches start them, ready sooner than a boot.
        let stopped = byID.values.filter { $0.state == .stopped }.count
        let warm = settings.warmPool.size > 0
            ? Array(repeating: max(settings.warmPool.startSeconds, 0), count: min(stopped, settings.warmPool.size))
            : []

        var nextState = state
        nextState.demand.closeWindow(backlog: backlog, now: now)
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

        var plan: DrainTargetPlan?
        if settings.policy == .slo {
            let drainPlan = sloPlan(backlog: backlogTotal, live: remaining, unlisted: nextState.unlistedLaunches, warm: warm,
                                    settings: settings, demand: nextState.demand, minimum: minimum, maximum: maximum,
                                    now: now)
            plan = drainPlan
            desired = drainPlan.desired
            let surplusTerminations = surplus(
                plan: drainPlan, capacity: capacity, live: remaining, unlisted: unlisted, settings: settings,
                state: &nextState, now: now)
            terminations += surplusTerminations
            capacity -= surplusTerminations.count
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
            drainTargetSeconds: plan?.targetSeconds, explanation: "", nextState: nextState, stopped: stopped)
        if plan != nil {
            let terminated = Set(terminations.map(\.instanceID))
            let kept = readyInSeconds(live: remaining.filter { !terminated.contains($0.id) },
                                      unlisted: nextState.unlistedLaunches, settings: settings, now: now)
            decision.projectedDrainSeconds = DrainTargetPlan.projectedDrainSeconds(
                backlog: Double(backlogTotal),
                readyInSeconds: kept + DrainTargetPlan.newInstances(launch, warm: warm, boot: max(settings.bootSeconds, 0)),
                rate: nextState.demand.imagesPerSecondPerInstance(initial: settings.initialImagesPerSecondPerInstance),
                arrivals: nextState.demand.arrivalsPerSecond)
        }
        decision.explanation = explain(decision, backlog: backlog, minimum: minimum, maximum: maximum, target: target)
        return decision
    }

    /// The `slo` policy's plan for the live fleet (stuck and excess instances already removed).
    static func sloPlan(
        backlog: Int, live: [FleetInstance], unlisted: [String: Date], warm: [Double] = [], settings: ScalingSettings,
        demand: DemandEstimate, minimum: Int, maximum: Int, now: Date
    ) -> DrainTargetPlan {
        DrainTargetPlan.plan(
            backlog: backlog, readyInSeconds: readyInSeconds(live: live, unlisted: unlisted, settings: settings, now: now),
            imagesPerSecondPerInstance: demand.imagesPerSecondPerInstance(initial: settings.initialImagesPerSecondPerInstance),
            arrivalsPerSecond: demand.arrivalsPerSecond, bootSeconds: settings.bootSeconds,
            targetSeconds: settings.drainTargetSeconds, minimum: minimum, maximum: maximum,
            reserveBacklog: demand.recentPeakBacklog, warmReadyInSeconds: warm)
    }

    /// Seconds until each instance takes work: 0 when running, the rest of the boot when pending.
    static func readyInSeconds(live: [FleetInstance], unlisted: [String: Date], settings: ScalingSettings,
                               now: Date) -> [Double] {
        let boot = max(settings.bootSeconds, 0)
        let pendingLaunches = live.filter { $0.state == .pending }.map(\.launchedAt) + Array(unlisted.values)
        return live.filter { $0.state == .running }.map { _ in 0 }
            + pendingLaunches.map { max(boot - now.timeIntervalSince($0), 0) }
    }

    /// The `slo` policy's scale-in: running instances beyond the plan, once the surplus has lasted
    /// `scaleInDelaySeconds`, newest first among those past their billed minimum (terminating one
    /// earlier saves nothing: the minute is paid either way). Not while the plan misses its target
    /// (then fewer instances is never better) nor while an instance is still booting (the plan
    /// that launched it may still need it; terminating a running one for it opens a gap).
    static func surplus(
        plan: DrainTargetPlan, capacity: Int, live: [FleetInstance], unlisted: Int, settings: ScalingSettings,
        state: inout ScalingState, now: Date
    ) -> [Termination] {
        let desired = plan.desired
        guard capacity > desired, plan.meetsTarget else {
            state.surplusSince = nil
            return []
        }
        guard unlisted == 0, !live.contains(where: { $0.state == .pending }) else { return [] }
        let since = state.surplusSince ?? now
        state.surplusSince = since
        guard now.timeIntervalSince(since) >= settings.scaleInDelaySeconds else { return [] }
        let eligible = live.filter {
            $0.state == .running && now.timeIntervalSince($0.launchedAt) >= settings.billingMinimumSeconds
        }
        let chosen = eligible.prefix(capacity - desired)
        if chosen.count == capacity - desired { state.surplusSince = nil }
        return chosen.map { Termination(instanceID: $0.id, reason: .surplus(desired: desired)) }
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

    /// Seconds as a whole number for the explanation; absurd values (a settings struct built by
    /// hand, a throughput near zero) must not trap the controller.
    static func wholeSeconds(_ seconds: Double, _ rounding: FloatingPointRoundingRule) -> String {
        guard seconds.isFinite else { return "\(seconds)" }
        return "\(Int(min(max(seconds, -1e15), 1e15).rounded(rounding)))"
    }

    static func explain(_ decision: ScalingDecision, backlog: QueueBacklog, minimum: Int, maximum: Int, target: Int) -> String {
        let rule = decision.drainTargetSeconds.map { targetSeconds in
            "target \(wholeSeconds(targetSeconds, .toNearestOrAwayFromZero)) s, projected "
                + (decision.projectedDrainSeconds.map { "\(wholeSeconds($0, .up)) s" } ?? "never")
        } ?? "\(target) per instance"
        var parts = [
            "backlog \(decision.backlog) (\(max(backlog.visible, 0)) waiting, \(max(backlog.inFlight, 0)) in flight)"
                + " → desired \(decision.desired) (\(rule), min \(minimum), max \(maximum))",
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
