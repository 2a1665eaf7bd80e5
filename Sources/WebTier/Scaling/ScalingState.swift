import Foundation

/// What the control loop remembers between ticks. It starts empty (also after a web-tier restart:
/// the fleet is then rediscovered by its tag, so nothing here is needed to avoid duplicates).
public struct ScalingState: Sendable, Equatable {
    /// When the last launch was made; launches wait `launchCooldownSeconds` after it.
    public var lastLaunchAt: Date?
    /// Instances we launched that no listing has shown yet, with their launch time. EC2's
    /// DescribeInstances is eventually consistent, so a fresh instance can be missing from the
    /// next listing; counting it as pending keeps the autoscaler from launching it twice.
    public var unlistedLaunches: [String: Date]
    /// The `slo` policy's learned throughput and arrival rate (results are recorded on it between
    /// ticks with `demand.recordResult`; each decision closes the window).
    public var demand = DemandEstimate()
    /// Since when the `slo` policy has had more instances than it wants (nil: not surplus).
    public var surplusSince: Date?

    public init(lastLaunchAt: Date? = nil, unlistedLaunches: [String: Date] = [:]) {
        self.lastLaunchAt = lastLaunchAt
        self.unlistedLaunches = unlistedLaunches
    }

    /// Records a launch the fleet carried out (call it with the ids `Fleet.launch` returned).
    public mutating func recordLaunch(ids: [String], at time: Date) {
        guard !ids.isEmpty else { return }
        lastLaunchAt = time
        for id in ids { unlistedLaunches[id] = time }
    }
}
