import AWS
import Foundation
import Logging
import Pipeline

/// The warm pool on EC2: members (tagged `WarmPoolPlan.poolTagKey`) stop themselves when idle;
/// a scale-out starts them before launching anything, and a surplus member is stopped rather
/// than terminated.
extension EC2Fleet {
    static func poolCandidate(_ instance: EC2Instance) -> WarmPoolPlan.Candidate {
        WarmPoolPlan.Candidate(id: instance.instanceId, state: InstanceState(rawValue: instance.state.name) ?? .terminated,
                               isMember: isPoolMember(instance), name: instance.tags["Name"])
    }

    static func isPoolMember(_ instance: EC2Instance) -> Bool {
        instance.tags[WarmPoolPlan.poolTagKey] == WarmPoolPlan.poolTagValue
    }

    public nonisolated var keepsWarmPool: Bool { warmPool.size > 0 }

    /// Launches up to `count` new members to fill the pool (`WarmPoolPlan.prefillRoom`: never
    /// beyond its size, counted from a fresh listing). Their workers load the model, find the
    /// queue empty and stop, so the pool is ready before the first burst.
    public func prefillWarmPool(count: Int) async throws(FleetError) -> [FleetInstance] {
        guard count > 0, warmPool.size > 0 else { return [] }
        let listed = try await listOurs()
        let room = min(count, WarmPoolPlan.prefillRoom(size: warmPool.size, instances: listed.map(Self.poolCandidate)))
        let launched = try await launchNew(count: room, members: room, listed: listed)
        if !launched.isEmpty { logger.info("prefilling the warm pool", metadata: ["count": "\(launched.count)"]) }
        return launched
    }

    /// Starts the stopped members; returns those EC2 accepted, as pending instances launched now.
    /// A failure (EC2 may have no capacity for a start either) is logged: the caller launches
    /// instead.
    func startMembers(_ ids: [String]) async -> [FleetInstance] {
        guard !ids.isEmpty else { return [] }
        let now = Date()
        do {
            let changes = try await client.startInstances(ids)
            for change in changes { startedAt[change.instanceId] = now }
            logger.info("started warm-pool instances", metadata: ["ids": "\(changes.map(\.instanceId).joined(separator: ","))"])
            return changes.map { FleetInstance(id: $0.instanceId, state: .pending, launchedAt: now) }
        } catch {
            logger.error("could not start warm-pool instances; launching instead",
                         metadata: ["ids": "\(ids.joined(separator: ","))", "error": "\(error)"])
            return []
        }
    }

    /// Terminates stopped instances beyond the pool. Best effort: a failure is logged and the
    /// next listing tries again.
    func terminateBeyondPool(_ ids: [String]) async {
        guard !ids.isEmpty else { return }
        do {
            try await client.terminateInstances(ids)
            logger.info("terminated stopped instances beyond the warm pool", metadata: ["ids": "\(ids.joined(separator: ","))"])
        } catch {
            logger.error("could not terminate stopped instances beyond the warm pool",
                         metadata: ["ids": "\(ids.joined(separator: ","))", "error": "\(error)"])
        }
    }

    /// Surplus instances: members are stopped (kept warm), the others terminated.
    public func release(ids: [String]) async throws(FleetError) {
        guard !ids.isEmpty else { return }
        let listed = try await listOurs()
        let members = Set(listed.filter { Self.poolCandidate($0).isMember && $0.state.isActive }.map(\.instanceId))
        let stopping = warmPool.size > 0 ? ids.filter(members.contains) : []
        if !stopping.isEmpty {
            do {
                try await client.stopInstances(stopping)
                logger.info("stopped warm-pool instances", metadata: ["ids": "\(stopping.joined(separator: ","))"])
            } catch {
                throw .terminationFailed(ids: stopping, reason: "stopping warm-pool members: \(error)")
            }
        }
        try await terminate(ids: ids.filter { !stopping.contains($0) })
    }
}
