import Foundation
import Pipeline

/// Filling the warm pool ahead of demand, as a pure function. Without it the pool fills only
/// through ordinary launches, so the first burst after a deployment boots cold. While the queue
/// is empty and nothing else is launched, the controller launches the members the pool lacks;
/// their workers load the model, find nothing to do and stop themselves, and the next scale-out
/// starts them.
///
/// Members are counted from the listing (pending, running, stopping and stopped ones tagged as
/// members) plus every launch no listing has shown yet (any of them may be a member: counting
/// them all can delay a prefill by a tick, never launch one member too many). The launches keep
/// to the maximum (pending members are capacity until they stop), `maxLaunchesPerTick` and the
/// launch cool-down.
public enum WarmPoolPrefill {
    /// Members to launch now: 0 unless the pool prefills, the backlog is zero and the decision
    /// launches nothing and holds nothing back.
    public static func count(
        pool: WarmPoolSettings, backlog: Int, members: Int, capacityAfter: Int, maximum: Int, perTick: Int,
        coolingDown: Bool, launching: Int, heldBack: Int
    ) -> Int {
        guard pool.prefills, backlog <= 0, launching == 0, heldBack == 0, !coolingDown else { return 0 }
        return max(0, min(pool.size - members, max(perTick, 1), maximum - capacityAfter))
    }

    /// Sets `decision.prefill` for `instances` (the listing the decision was made from) and adds
    /// it to the explanation. `state` is the state before the decision (its cool-down).
    public static func apply(
        to decision: inout ScalingDecision, instances: [FleetInstance], settings: ScalingSettings, state: ScalingState,
        now: Date
    ) {
        let listed = WarmPoolPlan.memberCount(instances.map {
            WarmPoolPlan.Candidate(id: $0.id, state: $0.state, isMember: $0.isPoolMember)
        })
        let members = listed + decision.nextState.unlistedLaunches.count
        decision.prefill = count(
            pool: settings.warmPool, backlog: decision.backlog, members: members, capacityAfter: decision.capacityAfter,
            maximum: max(settings.maxInstances, 0), perTick: settings.maxLaunchesPerTick,
            coolingDown: ScalingPolicy.coolDownRemaining(state: state, settings: settings, now: now) != nil,
            launching: decision.launch, heldBack: decision.heldBack)
        guard decision.prefill > 0 else { return }
        let note = "prefill warm pool: launch \(decision.prefill) (\(members) of \(settings.warmPool.size) members)"
        decision.explanation = decision.explanation.hasSuffix("; steady")
            ? String(decision.explanation.dropLast("; steady".count)) + "; " + note
            : decision.explanation + "; " + note
    }
}
