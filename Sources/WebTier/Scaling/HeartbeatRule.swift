import Foundation

/// The health rule as a pure function: which running instances have been silent too long and must
/// be terminated. An instance whose worker never heartbeated within `graceSeconds` of launch
/// (boot and model loading count) never started working, e.g. a crash loop on a missing queue or
/// a broken model; one whose heartbeats stopped is wedged or gone. Either would bill for ever:
/// a worker only terminates itself when it is healthy enough to go idle.
///
/// Silence is measured from the latest of: the launch, the last heartbeat, and `watchingSince`
/// (when this controller started listening; a restarted web tier has heard nothing yet, and must
/// not kill a healthy fleet on its first tick).
public enum HeartbeatRule {
    public static func silentInstances(
        instances: [FleetInstance], lastHeartbeats: [String: Date], watchingSince: Date, graceSeconds: Double, now: Date
    ) -> [Termination] {
        guard graceSeconds > 0 else { return [] }
        var seen = Set<String>()
        return instances.compactMap { instance in
            // Pending ones have their own limit (pendingTimeoutSeconds); others are on their way out.
            guard instance.state == .running, seen.insert(instance.id).inserted else { return nil }
            let lastHeard = lastHeartbeats[instance.id]
            let since = max(instance.launchedAt, lastHeard ?? .distantPast, watchingSince)
            let silent = now.timeIntervalSince(since)
            guard silent > graceSeconds else { return nil }
            return Termination(instanceID: instance.id, reason: .noHeartbeat(
                silentSeconds: silent, graceSeconds: graceSeconds, everHeard: lastHeard != nil))
        }
    }
}

extension HeartbeatRule {
    /// Adds the silent instances to `decision`'s terminations (once each) and to its explanation.
    /// Their replacements are launched by a later tick, once the listing no longer counts them.
    public static func apply(
        to decision: inout ScalingDecision, instances: [FleetInstance], lastHeartbeats: [String: Date],
        watchingSince: Date, graceSeconds: Double, now: Date
    ) {
        let already = Set(decision.terminations.map(\.instanceID))
        let silent = silentInstances(instances: instances, lastHeartbeats: lastHeartbeats, watchingSince: watchingSince,
                                     graceSeconds: graceSeconds, now: now)
            .filter { !already.contains($0.instanceID) }
        guard !silent.isEmpty else { return }
        decision.terminations += silent
        var parts = decision.explanation.components(separatedBy: "; ").filter { $0 != "steady" }
        parts += silent.map { "terminate \($0.instanceID): \($0.reason)" }
        decision.explanation = parts.joined(separator: "; ")
    }
}
