import Foundation
import Pipeline

/// The warm pool's bookkeeping as a pure function of the fleet's listing: which stopped members
/// a scale-out starts, how many instances it still launches and how many of those join the pool,
/// and which stopped instances are beyond the pool and are terminated.
///
/// Pool members carry `poolTagKey=poolTagValue` from launch. At most `size` instances of the
/// fleet are members at once (a lowered size leaves live extras as members until they stop, and
/// their stopped instances are then terminated). Any other stopped instance of ours (one stopped
/// by hand, or a member beyond the size) only costs its volume and is terminated.
public struct WarmPoolPlan: Sendable, Equatable {
    public static let poolTagKey = WarmPoolTag.key
    public static let poolTagValue = WarmPoolTag.value

    /// What the plan needs to know about one instance of ours.
    public struct Candidate: Sendable, Equatable {
        public var id: String
        public var state: InstanceState
        public var isMember: Bool
        /// The `Name` tag, for a stable order (`app-tier-2` before `app-tier-10` is not needed:
        /// any stable order will do).
        public var name: String?

        public init(id: String, state: InstanceState, isMember: Bool, name: String? = nil) {
            self.id = id
            self.state = state
            self.isMember = isMember
            self.name = name
        }
    }

    /// Stopped members to start, in this order.
    public var start: [String]
    /// Instances still to launch after the starts.
    public var launch: Int
    /// How many of the launches are tagged as pool members (the first ones).
    public var newMembers: Int
    /// Stopped instances beyond the pool.
    public var terminate: [String]

    public init(start: [String] = [], launch: Int = 0, newMembers: Int = 0, terminate: [String] = []) {
        self.start = start
        self.launch = launch
        self.newMembers = newMembers
        self.terminate = terminate
    }

    /// The plan for adding `count` instances of capacity to a fleet listed as `instances`, with a
    /// pool of `size` (0: no pool; every stopped instance is terminated and all `count` launched).
    public static func scaleOut(count: Int, size: Int, instances: [Candidate]) -> WarmPoolPlan {
        let count = max(count, 0)
        let size = max(size, 0)
        let (kept, extra) = stoppedMembersKept(size: size, instances: instances)
        let start = Array(kept.prefix(count))
        let launch = count - start.count
        let members = instances.filter { $0.isMember && !isGone($0.state) && !extra.contains($0.id) }.count
        return WarmPoolPlan(start: start, launch: launch, newMembers: min(launch, max(0, size - members)),
                            terminate: extra)
    }

    /// How many members the pool lacks: `size` less the members not on their way out (stopped,
    /// stopping, pending or running).
    public static func prefillRoom(size: Int, instances: [Candidate]) -> Int {
        max(size - memberCount(instances), 0)
    }

    /// Members not on their way out, each id once.
    public static func memberCount(_ instances: [Candidate]) -> Int {
        var seen = Set<String>()
        return instances.filter { $0.isMember && !isGone($0.state) && seen.insert($0.id).inserted }.count
    }

    /// Stopped instances beyond the pool, to terminate whenever the fleet is listed.
    public static func beyondPool(size: Int, instances: [Candidate]) -> [String] {
        stoppedMembersKept(size: max(size, 0), instances: instances).extra
    }

    /// The stopped members the pool keeps (at most `size`, in a stable order) and every other
    /// stopped instance.
    static func stoppedMembersKept(size: Int, instances: [Candidate]) -> (kept: [String], extra: [String]) {
        var seen = Set<String>()
        let stopped = instances.filter { $0.state == .stopped && seen.insert($0.id).inserted }
            .sorted { ($0.name ?? "", $0.id) < ($1.name ?? "", $1.id) }
        let members = stopped.filter(\.isMember).map(\.id)
        let kept = Array(members.prefix(size))
        let keptSet = Set(kept)
        return (kept, stopped.map(\.id).filter { !keptSet.contains($0) })
    }

    static func isGone(_ state: InstanceState) -> Bool { state == .shuttingDown || state == .terminated }
}
