import Foundation

/// The life-cycle states an instance can report. EC2's names are used for both fleets so the
/// autoscaler and the page speak one vocabulary (a local worker process is `pending` until it has
/// started, `running` while it lives and `terminated` once reaped).
public enum InstanceState: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    case pending
    case running
    case shuttingDown = "shutting-down"
    case stopping
    case stopped
    case terminated

    /// Whether the instance can work (or soon will): only these count as capacity. A stopping or
    /// shutting-down instance is on its way out, usually by its own idle self-termination.
    public var countsAsCapacity: Bool { self == .pending || self == .running }
}

/// One of our app-tier instances as the fleet lists it (found by the fleet tag, so instances
/// launched before a web-tier restart are adopted, not launched again).
public struct FleetInstance: Codable, Sendable, Equatable, Hashable {
    /// The instance id (`i-...` on EC2, a process name for the local fleet).
    public var id: String
    public var state: InstanceState
    /// When the instance was launched; the pending timeout and "newest first" are measured from it.
    public var launchedAt: Date
    /// The `Name` tag (`app-tier-N`), when it has one.
    public var name: String?
    /// Tagged as a warm-pool member (`WarmPoolTag`): stops instead of terminating when idle.
    public var isPoolMember: Bool

    public init(id: String, state: InstanceState, launchedAt: Date, name: String? = nil, isPoolMember: Bool = false) {
        self.id = id
        self.state = state
        self.launchedAt = launchedAt
        self.name = name
        self.isPoolMember = isPoolMember
    }
}
