import Foundation

/// Where app-tier workers run: the seam between the autoscaler and EC2 (`EC2Fleet`) or processes
/// on this machine (`LocalProcessFleet`). The autoscaler only lists, launches and terminates; a
/// worker's scale-in is its own idle self-termination, which a fleet merely observes.
///
/// Implementations find their instances by the fleet tag (`FleetSettings.fleetTag`), never by
/// memory alone, so a restarted web tier adopts the instances already running. On EC2 that is
/// the tag `elastic-classifier:fleet=<fleetTag>` (`EC2Fleet.fleetTagKey`); local worker processes
/// (`LocalProcessFleet`) live in the fleet's process table and are stopped with the web tier.
public protocol Fleet: Sendable {
    /// Our instances in every state the provider still reports (pending, running, stopping,
    /// stopped warm-pool members, shutting-down and, briefly, terminated), each with its launch
    /// time (for a started member: its start).
    func instances() async throws(FleetError) -> [FleetInstance]

    /// Starts `count` new workers, tagged as ours and named `<namePrefix><n>`. Returns what was
    /// started, normally `pending`. When the provider starts fewer than asked (EC2's
    /// `MinCount`/`MaxCount`, an instance limit), it returns the ones it did start; when it starts
    /// some and then fails, it throws `partialLaunch` with them, so none is forgotten.
    func launch(count: Int) async throws(FleetError) -> [FleetInstance]

    /// Terminates the given instances of ours. Ids that are already gone are not an error
    /// (termination is idempotent: a worker may have terminated itself meanwhile).
    func terminate(ids: [String]) async throws(FleetError)

    /// Gives back instances the policy no longer needs (`TerminationReason.surplus`). A fleet
    /// with a warm pool stops its members instead of terminating them; by default: `terminate`.
    func release(ids: [String]) async throws(FleetError)

    /// Whether this fleet keeps a warm pool (and so can be asked to prefill it).
    var keepsWarmPool: Bool { get }

    /// Launches up to `count` new warm-pool members while the queue is empty (`WarmPoolPrefill`);
    /// a fleet without a pool launches nothing. Errors as for `launch`.
    func prefillWarmPool(count: Int) async throws(FleetError) -> [FleetInstance]

    /// The web tier is stopping: release what must not outlive it. Local worker processes stop;
    /// EC2 instances are left running, to be adopted by the next web tier or to idle out.
    func webTierStopping() async
}

extension Fleet {
    public func release(ids: [String]) async throws(FleetError) {
        try await terminate(ids: ids)
    }

    public var keepsWarmPool: Bool { false }

    public func prefillWarmPool(count: Int) async throws(FleetError) -> [FleetInstance] { [] }
}

/// Why a fleet operation failed, with what to check.
public enum FleetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The fleet could not be listed (network, permissions); the controller skips this tick rather
    /// than scaling blind.
    case listingFailed(reason: String)
    /// No instance was started.
    case launchFailed(requested: Int, reason: String)
    /// Some instances were started before the failure: they are ours and must be counted.
    case partialLaunch(launched: [FleetInstance], requested: Int, reason: String)
    /// The provider refused for lack of capacity or an account limit (EC2's
    /// `InsufficientInstanceCapacity`, `InstanceLimitExceeded`); retrying later may succeed.
    case capacityUnavailable(reason: String)
    /// Terminating these ids failed.
    case terminationFailed(ids: [String], reason: String)
    /// The fleet is misconfigured (no AMI, no worker executable); nothing will work until fixed.
    case misconfigured(reason: String)

    public var description: String {
        switch self {
        case let .listingFailed(reason):
            return "could not list the fleet's instances: \(reason) (check the endpoint and the describe permission)"
        case let .launchFailed(requested, reason):
            return "could not launch \(requested) instance(s): \(reason)"
        case let .partialLaunch(launched, requested, reason):
            return "launched \(launched.count) of \(requested) instance(s) before failing: \(reason)"
        case let .capacityUnavailable(reason):
            return "no capacity to launch instances: \(reason) (will retry on a later tick)"
        case let .terminationFailed(ids, reason):
            return "could not terminate \(ids.joined(separator: ", ")): \(reason)"
        case let .misconfigured(reason):
            return "the fleet is misconfigured: \(reason)"
        }
    }
}
