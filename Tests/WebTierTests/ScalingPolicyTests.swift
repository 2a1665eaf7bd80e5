import Foundation
import Pipeline
import Testing
@testable import WebTier

/// The autoscaling rule, row by row. Times are offsets from a fixed instant so every row is exact.
@Suite struct ScalingPolicyTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    static func instance(_ id: String, _ state: InstanceState, launchedAt seconds: Double = 0) -> FleetInstance {
        FleetInstance(id: id, state: state, launchedAt: at(seconds), name: "app-tier-\(id)")
    }

    static func decide(
        backlog: Int, inFlight: Int = 0, instances: [FleetInstance] = [], settings: ScalingSettings = ScalingSettings(),
        state: ScalingState = ScalingState(), now seconds: Double = 0
    ) -> ScalingDecision {
        ScalingPolicy.decide(backlog: QueueBacklog(visible: backlog, inFlight: inFlight), instances: instances,
                             settings: settings, state: state, now: at(seconds))
    }

    // MARK: desired = clamp(ceil(backlog / target), min, max)

    /// The original design's defaults (target 1, max 19) from an empty fleet: 5 images → 5, 50 → 19.
    @Test(arguments: [
        (images: 0, desired: 0), (1, 1), (5, 5), (18, 18), (19, 19), (20, 19), (50, 19), (100_000, 19),
    ])
    func defaultsLaunchOneInstancePerImageUpToNineteen(images: Int, desired: Int) {
        let decision = Self.decide(backlog: images)
        #expect(decision.desired == desired)
        #expect(decision.launch == desired)
        #expect(decision.terminations.isEmpty)
        #expect(decision.capacityAfter == desired)
    }

    /// In-flight messages are backlog too: a job being classified still needs its worker.
    @Test(arguments: [(visible: 0, inFlight: 7, desired: 7), (3, 4, 7), (40, 40, 19)])
    func inFlightMessagesCountAsBacklog(visible: Int, inFlight: Int, desired: Int) {
        #expect(Self.decide(backlog: visible, inFlight: inFlight).desired == desired)
    }

    struct RuleRow: Sendable, CustomTestStringConvertible {
        var backlog: Int
        var minimum: Int
        var maximum: Int
        var target: Int
        var desired: Int
        var testDescription: String { "backlog \(backlog), min \(minimum), max \(maximum), target \(target) → \(desired)" }
    }

    @Test(arguments: [
        RuleRow(backlog: 10, minimum: 0, maximum: 19, target: 3, desired: 4),   // ceil(10 / 3)
        RuleRow(backlog: 9, minimum: 0, maximum: 19, target: 3, desired: 3),
        RuleRow(backlog: 0, minimum: 2, maximum: 19, target: 1, desired: 2),    // 0 images → min
        RuleRow(backlog: 1, minimum: 2, maximum: 19, target: 1, desired: 2),
        RuleRow(backlog: 100, minimum: 2, maximum: 5, target: 1, desired: 5),
        RuleRow(backlog: 100, minimum: 0, maximum: 0, target: 1, desired: 0),   // scaling switched off
        RuleRow(backlog: 5, minimum: 0, maximum: 19, target: 0, desired: 5),    // invalid target acts as 1
        RuleRow(backlog: 0, minimum: 8, maximum: 3, target: 1, desired: 3),     // invalid min: max wins
    ])
    func desiredIsTheClampedCeiling(row: RuleRow) {
        var settings = ScalingSettings()
        settings.minInstances = row.minimum
        settings.maxInstances = row.maximum
        settings.targetBacklogPerInstance = row.target
        let decision = Self.decide(backlog: row.backlog, settings: settings)
        #expect(decision.desired == row.desired)
        #expect(decision.launch == row.desired)
    }

    /// A hostile or broken endpoint reporting negative counts cannot make the backlog negative.
    @Test func negativeCountsCountAsZero() {
        let decision = Self.decide(backlog: -5, inFlight: -3)
        #expect(decision.backlog == 0)
        #expect(decision.desired == 0)
        #expect(decision.launch == 0)
    }

    /// Counts near Int.max saturate rather than trap, and still mean "the maximum".
    @Test(arguments: [(Int.max, Int.max), (Int.max, 1), (Int.max - 1, 0)])
    func hugeCountsSaturate(visible: Int, inFlight: Int) {
        var settings = ScalingSettings()
        settings.targetBacklogPerInstance = 7
        let decision = Self.decide(backlog: visible, inFlight: inFlight, settings: settings)
        #expect(decision.desired == 19)
        #expect(decision.launch == 19)
    }

    // MARK: capacity

    /// After a web-tier restart the state is empty, but the fleet lists the instances by tag:
    /// they are adopted and nothing is launched twice.
    @Test(arguments: [
        (running: 5, pending: 0, images: 5, launch: 0),
        (3, 2, 8, 3),
        (19, 0, 50, 0),
        (10, 0, 0, 0),
    ])
    func restartAdoptsRunningInstances(running: Int, pending: Int, images: Int, launch: Int) {
        let instances = (0..<running).map { Self.instance("r\($0)", .running, launchedAt: -600) }
            + (0..<pending).map { Self.instance("p\($0)", .pending, launchedAt: -20) }
        let decision = Self.decide(backlog: images, instances: instances, state: ScalingState())
        #expect(decision.running == running)
        #expect(decision.pending == pending)
        #expect(decision.launch == launch)
        #expect(decision.terminations.isEmpty)
    }

    /// Instances on their way out (self-terminating) are not capacity.
    @Test(arguments: [InstanceState.stopping, .stopped, .shuttingDown, .terminated])
    func departingInstancesAreNotCapacity(state: InstanceState) {
        let instances = (0..<4).map { Self.instance("x\($0)", state, launchedAt: -100) }
        let decision = Self.decide(backlog: 3, instances: instances)
        #expect(decision.capacity == 0)
        #expect(decision.launch == 3)
        #expect(decision.terminations.isEmpty)
    }

    /// Scale-in belongs to the workers: a low backlog never terminates a running instance.
    @Test(arguments: [0, 1, 4])
    func lowBacklogNeverTerminatesRunningInstances(images: Int) {
        let instances = (0..<10).map { Self.instance("r\($0)", .running, launchedAt: Double(-$0 * 60)) }
        let decision = Self.decide(backlog: images, instances: instances)
        #expect(decision.terminations.isEmpty)
        #expect(decision.launch == 0)
        #expect(decision.explanation.hasSuffix("steady"))
    }

    // MARK: limits on launching

    @Test(arguments: [
        (sinceLastLaunch: 0.0, launch: 0), (5.0, 0), (9.9, 0), (10.0, 5), (60.0, 5),
    ])
    func coolDownHoldsLaunches(sinceLastLaunch: Double, launch: Int) {
        let state = ScalingState(lastLaunchAt: Self.at(-sinceLastLaunch))
        let decision = Self.decide(backlog: 5, state: state)
        #expect(decision.launch == launch)
        #expect(decision.heldBack == 5 - launch)
        if launch == 0 {
            guard case let .coolDown(remaining) = decision.limit else {
                Issue.record("expected a cool-down limit, got \(String(describing: decision.limit))")
                return
            }
            #expect(abs(remaining - (10 - sinceLastLaunch)) < 1e-6)
            #expect(decision.explanation.contains("cool-down"))
        } else {
            #expect(decision.limit == nil)
        }
    }

    /// A wall clock stepped back puts the last launch in the future: scaling must not freeze.
    @Test func clockSteppedBackEndsTheCoolDown() {
        let decision = Self.decide(backlog: 3, state: ScalingState(lastLaunchAt: Self.at(3600)))
        #expect(decision.launch == 3)
    }

    @Test(arguments: [(perTick: 4, images: 10, launch: 4), (4, 3, 3), (1, 19, 1), (19, 50, 19), (30, 50, 19)])
    func perTickLimitCapsOneTick(perTick: Int, images: Int, launch: Int) {
        var settings = ScalingSettings()
        settings.maxLaunchesPerTick = perTick
        let decision = Self.decide(backlog: images, settings: settings)
        #expect(decision.launch == launch)
        #expect(decision.heldBack == min(images, 19) - launch)
        #expect(decision.limit == (decision.heldBack > 0 ? .perTick(limit: perTick) : nil))
    }

    /// A burst arrives over successive ticks (3 s apart, cool-down 10 s): the fleet follows it
    /// without overshooting the maximum and without launching during the cool-down.
    @Test func burstOverSuccessiveTicks() {
        var settings = ScalingSettings()
        settings.maxLaunchesPerTick = 8
        var state = ScalingState()
        var fleet: [FleetInstance] = []
        var serial = 0
        // (time, backlog) → launches expected at that tick
        let ticks: [(seconds: Double, backlog: Int, launch: Int)] = [
            (0, 5, 5),      // first upload: 5 images
            (3, 55, 0),     // a second upload of 50 lands: held by the cool-down
            (6, 55, 0),
            (9, 54, 0),
            (12, 53, 8),    // cool-down over: per-tick limit
            (15, 50, 0),
            (24, 45, 6),    // up to 19
            (36, 40, 0),    // at the maximum
            (48, 2, 0),     // drained: nothing terminated, workers leave by themselves
        ]
        for tick in ticks {
            let decision = ScalingPolicy.decide(
                backlog: QueueBacklog(visible: tick.backlog, inFlight: 0), instances: fleet,
                settings: settings, state: state, now: Self.at(tick.seconds))
            #expect(decision.launch == tick.launch, "at \(tick.seconds) s: \(decision.explanation)")
            #expect(decision.terminations.isEmpty)
            #expect(decision.capacityAfter <= settings.maxInstances)
            state = decision.nextState
            let launched = (0..<decision.launch).map { _ in
                serial += 1
                return Self.instance("i\(serial)", .pending, launchedAt: tick.seconds)
            }
            fleet = fleet.map { FleetInstance(id: $0.id, state: .running, launchedAt: $0.launchedAt, name: $0.name) }
                + launched
            state.recordLaunch(ids: launched.map(\.id), at: Self.at(tick.seconds))
        }
        #expect(fleet.count == 19)
    }

    // MARK: terminations

    @Test(arguments: [(pendingFor: 299.0, terminated: false), (300.0, false), (300.5, true), (3600.0, true)])
    func stuckPendingInstancesAreReplaced(pendingFor: Double, terminated: Bool) {
        let instances = [Self.instance("stuck", .pending, launchedAt: -pendingFor), Self.instance("ok", .running, launchedAt: -900)]
        let decision = Self.decide(backlog: 2, instances: instances)
        if terminated {
            #expect(decision.terminations == [Termination(
                instanceID: "stuck", reason: .stuckPending(pendingSeconds: pendingFor, limitSeconds: 300))])
            #expect(decision.launch == 1)  // its replacement
        } else {
            #expect(decision.terminations.isEmpty)
            #expect(decision.launch == 0)
        }
        #expect(decision.capacityAfter == 2)
    }

    /// A replacement stays within the maximum: with the fleet full, a stuck instance is replaced
    /// one for one, never added to.
    @Test func replacementOfStuckInstanceStaysWithinMaximum() {
        var settings = ScalingSettings()
        settings.maxInstances = 3
        let instances = [
            Self.instance("a", .running, launchedAt: -900), Self.instance("b", .running, launchedAt: -900),
            Self.instance("stuck", .pending, launchedAt: -400),
        ]
        let decision = Self.decide(backlog: 50, instances: instances, settings: settings)
        #expect(decision.terminations.map(\.instanceID) == ["stuck"])
        #expect(decision.launch == 1)
        #expect(decision.capacityAfter == 3)
    }

    /// A lowered maximum: the excess goes, newest pending first, then newest running.
    @Test(arguments: [
        (maximum: 5, terminated: ["p3"]),
        (4, ["p3", "p2"]),
        (3, ["p3", "p2", "p1"]),
        (2, ["p3", "p2", "p1", "r3"]),
        (0, ["p3", "p2", "p1", "r3", "r2", "r1"]),
    ])
    func loweredMaximumTerminatesNewestPendingThenNewestRunning(maximum: Int, terminated: [String]) {
        var settings = ScalingSettings()
        settings.maxInstances = maximum
        let instances = [
            Self.instance("r1", .running, launchedAt: -900), Self.instance("p2", .pending, launchedAt: -20),
            Self.instance("r3", .running, launchedAt: -300), Self.instance("p1", .pending, launchedAt: -30),
            Self.instance("r2", .running, launchedAt: -600), Self.instance("p3", .pending, launchedAt: -10),
        ]
        let decision = Self.decide(backlog: 40, instances: instances, settings: settings)
        #expect(decision.terminations.map(\.instanceID) == terminated)
        #expect(decision.terminations.allSatisfy { $0.reason == .aboveMaximum(maximum: maximum) })
        #expect(decision.launch == 0)
        #expect(decision.capacityAfter == maximum)
    }

    // MARK: launches the listing does not show yet

    /// DescribeInstances is eventually consistent: a launch missing from the next listing still
    /// counts, so it is not launched again; once listed (or presumed lost) it stops counting twice.
    @Test func unlistedLaunchesCountAsPending() {
        var state = ScalingState()
        state.recordLaunch(ids: ["a", "b", "c"], at: Self.at(0))

        let hidden = Self.decide(backlog: 3, state: state, now: 15)
        #expect(hidden.pending == 3)
        #expect(hidden.launch == 0)
        #expect(hidden.nextState.unlistedLaunches.count == 3)

        let listed = Self.decide(backlog: 3, instances: [Self.instance("a", .pending)], state: state, now: 15)
        #expect(listed.pending == 3)
        #expect(listed.launch == 0)
        #expect(Set(listed.nextState.unlistedLaunches.keys) == ["b", "c"])

        let lost = Self.decide(backlog: 3, state: state, now: ScalingPolicy.unlistedLaunchGraceSeconds + 1)
        #expect(lost.pending == 0)
        #expect(lost.launch == 3)
        #expect(lost.nextState.unlistedLaunches.isEmpty)
    }

    /// A listing that repeats an id mid-transition counts the instance once.
    @Test func repeatedIDsCountOnce() {
        let instances = [Self.instance("a", .pending, launchedAt: -5), Self.instance("a", .running, launchedAt: -5),
                         Self.instance("b", .terminated, launchedAt: -5), Self.instance("b", .running, launchedAt: -5)]
        let decision = Self.decide(backlog: 4, instances: instances)
        #expect(decision.running == 2)
        #expect(decision.pending == 0)
        #expect(decision.launch == 2)
    }

    @Test func explanationNamesTheNumbers() {
        let decision = Self.decide(backlog: 42, inFlight: 8, instances: [Self.instance("r", .running, launchedAt: -60)])
        #expect(decision.explanation
            == "backlog 50 (42 waiting, 8 in flight) → desired 19 (1 per instance, min 0, max 19); capacity 1 (0 pending, 1 running); launch 18")
    }
}
