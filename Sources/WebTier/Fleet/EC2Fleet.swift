import AWS
import Foundation
import Logging
import Pipeline

/// The EC2 fleet: app-tier instances launched from the worker AMI and found again by their fleet
/// tag, so a restarted web tier adopts the instances already running instead of launching more.
///
/// Every instance carries two tags from the moment it exists (RunInstances' TagSpecifications, so
/// there is no untagged window): `elastic-classifier:fleet=<fleet.fleetTag>` (discovery; two web
/// tiers with different `fleetTag` values share an account without seeing each other's workers)
/// and `Name=<namePrefix><n>`, n being the lowest number no live instance of the fleet uses.
///
/// An actor so that names reserved by one launch are seen by the next, even while the first
/// is still waiting for EC2.
public actor EC2Fleet: Fleet {
    /// The tag key that marks our instances; its value is `FleetSettings.fleetTag`.
    public static let fleetTagKey = "elastic-classifier:fleet"

    /// The states `instances()` lists: everything not yet terminated. Stopped instances are the
    /// warm pool's members (started before anything is launched); any other stopped instance is
    /// beyond the pool and terminated (see `WarmPoolPlan`).
    static let listedStates: [EC2InstanceState] = [.pending, .running, .stopping, .stopped, .shuttingDown]

    /// EC2 error codes that mean "no capacity now", worth retrying on a later tick.
    static let capacityErrorCodes: Set<String> = [
        "InsufficientInstanceCapacity", "InstanceLimitExceeded", "VcpuLimitExceeded",
        "InsufficientCapacity", "MaxSpotInstanceCountExceeded",
    ]

    public nonisolated let client: EC2Client
    public nonisolated let fleetTag: String
    public nonisolated let namePrefix: String
    public nonisolated let launchSettings: EC2LaunchSettings
    /// `scaling.warmPool`: members stop when idle and are started before new launches.
    public nonisolated let warmPool: WarmPoolSettings
    private let userData: Data?
    let logger: Logger
    /// When this fleet last started each instance: a started member's launch time as listed may
    /// still be its first launch's, and pending-timeout and heartbeat silence count from the start.
    var startedAt: [String: Date] = [:]
    /// Names handed out by recent launches, kept until listings show them (DescribeInstances is
    /// eventually consistent) or for `ScalingPolicy.unlistedLaunchGraceSeconds`.
    private(set) var reservedNames: [String: Date] = [:]

    /// Reads the user data file now, so a missing file is a start-up error, not a failure on the
    /// first scale-out.
    public init(client: EC2Client, settings: FleetSettings, warmPool: WarmPoolSettings = WarmPoolSettings(),
                logger: Logger = Logger(label: "fleet.ec2")) throws(FleetError) {
        let launch = settings.ec2
        guard !launch.imageId.isEmpty else {
            throw .misconfigured(reason: "fleet.ec2.imageId is empty (the app-tier AMI to launch)")
        }
        guard !launch.instanceType.isEmpty else { throw .misconfigured(reason: "fleet.ec2.instanceType is empty") }
        guard !settings.fleetTag.isEmpty else {
            throw .misconfigured(reason: "fleet.fleetTag is empty; instances could not be found again")
        }
        if let path = launch.userDataFile, !path.isEmpty {
            do {
                userData = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw .misconfigured(reason: "cannot read fleet.ec2.userDataFile \(path): \(error.localizedDescription)")
            }
            // EC2 limits user data to 16 KB before base64.
            if let userData, userData.count > 16 * 1024 {
                throw .misconfigured(reason: "fleet.ec2.userDataFile \(path) is \(userData.count) bytes; EC2 allows 16384")
            }
        } else {
            userData = nil
        }
        self.client = client
        fleetTag = settings.fleetTag
        namePrefix = settings.namePrefix
        launchSettings = launch
        self.warmPool = warmPool
        self.logger = logger
    }

    // MARK: Fleet

    /// Nothing to release: the instances keep running, adopted by the next web tier or idling out.
    public func webTierStopping() async {}

    /// Also terminates stopped instances beyond the warm pool (they would only cost their volume).
    public func instances() async throws(FleetError) -> [FleetInstance] {
        let listed = try await listOurs()
        let extra = Set(WarmPoolPlan.beyondPool(size: warmPool.size, instances: listed.map(Self.poolCandidate)))
        await terminateBeyondPool(Array(extra))
        let listedIDs = Set(listed.map(\.instanceId))
        startedAt = startedAt.filter { listedIDs.contains($0.key) }
        return listed.filter { !extra.contains($0.instanceId) }.compactMap(fleetInstance)
    }

    /// Stopped pool members are started first (`WarmPoolPlan`); the rest is launched, one
    /// RunInstances per instance, concurrently: each carries its own `Name` from the start
    /// (TagSpecifications apply the same tags to every instance of a call). A member that cannot
    /// be started is replaced by a launch.
    public func launch(count: Int) async throws(FleetError) -> [FleetInstance] {
        guard count > 0 else { return [] }
        let listed = try await listOurs()
        let plan = WarmPoolPlan.scaleOut(count: count, size: warmPool.size, instances: listed.map(Self.poolCandidate))
        await terminateBeyondPool(plan.terminate)
        let started = await startMembers(plan.start)
        do {
            return started + (try await launchNew(count: count - started.count, members: plan.newMembers, listed: listed))
        } catch {
            guard !started.isEmpty else { throw error }
            if case let .partialLaunch(launched, _, reason) = error {
                throw .partialLaunch(launched: started + launched, requested: count, reason: reason)
            }
            throw .partialLaunch(launched: started, requested: count, reason: "\(error)")
        }
    }

    /// Launches `count` new instances, the first `members` of them tagged as warm-pool members.
    func launchNew(count: Int, members: Int, listed: [EC2Instance]) async throws(FleetError) -> [FleetInstance] {
        guard count > 0 else { return [] }
        let now = Date()
        let listedNames = Set(listed.compactMap { $0.tags["Name"] })
        let names = FleetNaming.lowestFreeNames(prefix: namePrefix, taken: listedNames.union(reservedNames.keys),
                                                count: count)
        for name in names { reservedNames[name] = now }

        let requests = names.enumerated().map { index, name in request(named: name, poolMember: index < members) }
        let client = client
        var launched: [FleetInstance] = []
        var failures: [(name: String, error: any Error)] = []
        await withTaskGroup(of: LaunchOutcome.self) { group in
            for (name, request) in zip(names, requests) {
                group.addTask {
                    do { return .launched(try await client.runInstances(request)) } catch { return .failed(name: name, error: error) }
                }
            }
            for await outcome in group {
                switch outcome {
                case let .launched(instances):
                    launched += instances.compactMap { Self.fleetInstance($0) }
                case let .failed(name, error):
                    failures.append((name, error))
                }
            }
        }
        for failure in failures { reservedNames[failure.name] = nil }
        // In name order (app-tier-2 before app-tier-10), as the names were handed out.
        launched.sort { (names.firstIndex(of: $0.name ?? "") ?? names.count) < (names.firstIndex(of: $1.name ?? "") ?? names.count) }
        if !launched.isEmpty {
            logger.info("launched instances", metadata: ["ids": "\(launched.map(\.id).joined(separator: ","))"])
        }
        guard let first = failures.first else { return launched }
        let reason = "\(first.error)" + (failures.count > 1 ? " (and \(failures.count - 1) more failure(s))" : "")
        if !launched.isEmpty { throw .partialLaunch(launched: launched, requested: count, reason: reason) }
        if case let EC2Error.other(code, _, _, _) = first.error, Self.capacityErrorCodes.contains(code) {
            throw .capacityUnavailable(reason: reason)
        }
        switch first.error {
        case EC2Error.imageNotFound, EC2Error.invalidParameter, EC2Error.unauthorizedOperation, EC2Error.authFailure:
            throw .misconfigured(reason: reason)
        default:
            throw .launchFailed(requested: count, reason: reason)
        }
    }

    /// Terminates those of `ids` that are listed as ours: an id of another fleet, or of an instance
    /// already gone, is skipped rather than passed to EC2 (which would refuse the whole call).
    public func terminate(ids: [String]) async throws(FleetError) {
        guard !ids.isEmpty else { return }
        let ours = Set(try await listOurs().map(\.instanceId))
        let targets = ids.filter(ours.contains)
        let skipped = ids.filter { !ours.contains($0) }
        if !skipped.isEmpty {
            logger.debug("not terminating instances that are not listed as ours", metadata: ["ids": "\(skipped)"])
        }
        guard !targets.isEmpty else { return }
        do {
            try await client.terminateInstances(targets)
            logger.info("terminated instances", metadata: ["ids": "\(targets.joined(separator: ","))"])
        } catch EC2Error.instanceNotFound {
            // Gone between the listing and the call (a worker terminated itself): already done.
            return
        } catch {
            throw .terminationFailed(ids: targets, reason: "\(error)")
        }
    }

    // MARK: Internals

    /// Lists our live instances; a name the listing shows is no longer held by its reservation
    /// (the instance itself now holds it, until it is gone).
    func listOurs() async throws(FleetError) -> [EC2Instance] {
        let listed: [EC2Instance]
        do {
            listed = try await client.describeAllInstances(filters: [
                .tag(Self.fleetTagKey, fleetTag),
                EC2Filter(name: "instance-state-name", values: Self.listedStates.map(\.name)),
            ])
        } catch {
            throw .listingFailed(reason: "\(error)")
        }
        let listedNames = Set(listed.compactMap { $0.tags["Name"] })
        let now = Date()
        reservedNames = reservedNames.filter { name, at in
            !listedNames.contains(name) && now.timeIntervalSince(at) < ScalingPolicy.unlistedLaunchGraceSeconds
        }
        return listed
    }

    private func request(named name: String, poolMember: Bool) -> EC2RunInstancesRequest {
        let profile: EC2InstanceProfile? = launchSettings.instanceProfile.flatMap { value in
            value.isEmpty ? nil : (value.hasPrefix("arn:") ? .arn(value) : .name(value))
        }
        return EC2RunInstancesRequest(
            imageId: launchSettings.imageId, instanceType: launchSettings.instanceType, minCount: 1, maxCount: 1,
            keyName: launchSettings.keyName.flatMap { $0.isEmpty ? nil : $0 },
            securityGroupIds: launchSettings.securityGroupIds,
            subnetId: launchSettings.subnetId.flatMap { $0.isEmpty ? nil : $0 },
            instanceProfile: profile, userData: userData,
            tags: ["Name": name, Self.fleetTagKey: fleetTag].merging(
                poolMember ? [WarmPoolPlan.poolTagKey: WarmPoolPlan.poolTagValue] : [:]) { first, _ in first },
            requireIMDSv2: true,
            // A worker that powers its instance off (or an OS that halts) must not leave a stopped
            // instance behind, out of the fleet's listing but still billing for its volume.
            shutdownBehavior: .terminate,
            // A retried request (the client retries transient failures) must not launch twice.
            clientToken: UUID().uuidString)
    }

    /// The instance as the autoscaler sees it; a member this fleet started counts as launched at
    /// its start.
    func fleetInstance(_ instance: EC2Instance) -> FleetInstance? {
        guard var fleetInstance = Self.fleetInstance(instance) else { return nil }
        if let started = startedAt[instance.instanceId] { fleetInstance.launchedAt = max(fleetInstance.launchedAt, started) }
        return fleetInstance
    }

    static func fleetInstance(_ instance: EC2Instance) -> FleetInstance? {
        guard let state = InstanceState(rawValue: instance.state.name) else { return nil }
        // moto and EC2 always report a launch time; without one, "now" keeps an instance from
        // looking stuck in pending forever.
        return FleetInstance(id: instance.instanceId, state: state, launchedAt: instance.launchTime ?? Date(),
                             name: instance.tags["Name"],
                             isPoolMember: isPoolMember(instance))
    }
}

/// One RunInstances call's outcome in the launch task group. Not a `(String, Result)` tuple: with
/// the tuple as the group's child result, the release build (Swift 6.3.1) crashed in the runtime
/// copying it out of the group (swift_retain on a null pointer in TaskGroup offer) on the first
/// launch of several instances.
private enum LaunchOutcome: Sendable {
    case launched([EC2Instance])
    case failed(name: String, error: any Error)
}
