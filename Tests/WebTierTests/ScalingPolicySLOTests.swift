import Foundation
import Pipeline
import Testing
@testable import WebTier

/// `ScalingPolicy.decide` with `scaling.policy = slo`: the plan's count, the projection on the
/// decision and the snapshot, and the scale-in rules.
@Suite struct ScalingPolicySLOTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    static var settings: ScalingSettings {
        var settings = ScalingSettings()
        settings.policy = .slo
        settings.drainTargetSeconds = 30
        settings.bootSeconds = 60
        settings.initialImagesPerSecondPerInstance = 10
        settings.scaleInDelaySeconds = 20
        settings.billingMinimumSeconds = 60
        return settings
    }

    static func running(_ count: Int, launchedAt seconds: Double) -> [FleetInstance] {
        (0..<count).map { FleetInstance(id: "r\($0)", state: .running, launchedAt: at(seconds)) }
    }

    static func decide(backlog: Int, instances: [FleetInstance] = [], settings: ScalingSettings = settings,
                       state: ScalingState = ScalingState(), now seconds: Double) -> ScalingDecision {
        ScalingPolicy.decide(backlog: QueueBacklog(visible: backlog, inFlight: 0), instances: instances,
                             settings: settings, state: state, now: at(seconds))
    }

    /// A cold burst of 1000 at 10 images/s per instance launches 16, not one per image (19).
    @Test func coldBurstLaunchesThePlanNotOnePerImage() throws {
        let decision = Self.decide(backlog: 1000, now: 0)
        #expect(decision.desired == 16)
        #expect(decision.launch == 16)
        #expect(decision.drainTargetSeconds == 30)
        #expect(abs(try #require(decision.projectedDrainSeconds) - (60 + 1000.0 / 160)) < 1e-9)
        #expect(decision.explanation.contains("target 30 s, projected 67 s"), "\(decision.explanation)")

        var backlogRule = Self.settings
        backlogRule.policy = .backlog
        let original = Self.decide(backlog: 1000, settings: backlogRule, now: 0)
        #expect(original.launch == 19)
        #expect(original.drainTargetSeconds == nil && original.projectedDrainSeconds == nil)
    }

    /// The projection counts launches held back: during the cool-down the fleet is what it is.
    @Test func projectionIsForTheFleetAfterTheDecision() throws {
        var state = ScalingState()
        state.recordLaunch(ids: ["p0"], at: Self.at(0))
        let pending = [FleetInstance(id: "p0", state: .pending, launchedAt: Self.at(0))]
        let decision = Self.decide(backlog: 1000, instances: pending, state: state, now: 5)
        #expect(decision.launch == 0)
        #expect(decision.limit == .coolDown(remainingSeconds: 5))
        // One instance ready in 55 s answers 1000 images 100 s later.
        #expect(abs(try #require(decision.projectedDrainSeconds) - 155) < 1e-9)
    }

    /// Learned throughput replaces the initial guess: at 50 images/s, 1000 images need 4 instances.
    @Test func learnedThroughputChangesThePlan() {
        var state = ScalingState()
        state.demand.closeWindow(backlog: QueueBacklog(visible: 500, inFlight: 4), now: Self.at(-3))
        for _ in 0..<150 { state.demand.recordResult(worker: "r0", inferenceMs: 5) }
        let decision = Self.decide(backlog: 1000, instances: Self.running(1, launchedAt: -600), state: state, now: 0)
        #expect(decision.nextState.demand.measuredImagesPerSecondPerInstance == 50)
        // One running answers 1000 in 20 s: within the target, nothing launched.
        #expect(decision.desired == 1)
        #expect(decision.launch == 0)
    }

    /// Surplus instances go after the scale-in delay, newest first, with the reason.
    @Test func surplusIsTerminatedAfterTheDelay() {
        let fleet = Self.running(3, launchedAt: -600)
        let first = Self.decide(backlog: 0, instances: fleet, now: 0)
        #expect(first.desired == 0)
        #expect(first.terminations.isEmpty)
        #expect(first.nextState.surplusSince == Self.at(0))

        let early = Self.decide(backlog: 0, instances: fleet, state: first.nextState, now: 19)
        #expect(early.terminations.isEmpty)

        let due = Self.decide(backlog: 0, instances: fleet, state: early.nextState, now: 20)
        #expect(due.terminations.map(\.instanceID) == ["r2", "r1", "r0"])
        #expect(due.terminations.allSatisfy { $0.reason == .surplus(desired: 0) })
        #expect(due.nextState.surplusSince == nil)
        #expect(due.explanation.contains("surplus to the 0 the drain target needs"))
    }

    /// Work comes back before the delay is over: the surplus clock starts again.
    @Test func workResetsTheSurplusClock() {
        let fleet = Self.running(2, launchedAt: -600)
        let idle = Self.decide(backlog: 0, instances: fleet, now: 0)
        let busy = Self.decide(backlog: 500, instances: fleet, state: idle.nextState, now: 10)
        #expect(busy.nextState.surplusSince == nil)
        let idleAgain = Self.decide(backlog: 0, instances: fleet, state: busy.nextState, now: 25)
        #expect(idleAgain.terminations.isEmpty)
    }

    /// An instance inside its billed minute is kept: terminating it saves nothing.
    @Test func billedMinuteIsUsedUp() {
        let fleet = Self.running(2, launchedAt: -30)
        var state = Self.decide(backlog: 0, instances: fleet, now: 0).nextState
        let withinMinute = Self.decide(backlog: 0, instances: fleet, state: state, now: 25)
        #expect(withinMinute.terminations.isEmpty)
        state = withinMinute.nextState
        let pastMinute = Self.decide(backlog: 0, instances: fleet, state: state, now: 30)
        #expect(pastMinute.terminations.count == 2)
    }

    /// No scale-in while an instance boots (the plan that launched it may need it), nor in the
    /// backlog policy (idle workers scale in themselves there).
    @Test func noSurplusTerminationWhileBootingOrUnderTheBacklogRule() {
        let booting = Self.running(2, launchedAt: -600) + [FleetInstance(id: "p0", state: .pending, launchedAt: Self.at(-10))]
        var state = Self.decide(backlog: 0, instances: booting, now: 0).nextState
        #expect(Self.decide(backlog: 0, instances: booting, state: state, now: 40).terminations.isEmpty)

        var backlogRule = Self.settings
        backlogRule.policy = .backlog
        let idle = Self.running(4, launchedAt: -600)
        state = Self.decide(backlog: 0, instances: idle, settings: backlogRule, now: 0).nextState
        #expect(Self.decide(backlog: 0, instances: idle, settings: backlogRule, state: state, now: 40).terminations.isEmpty)
    }

    /// The snapshot carries the target and projection for the page; the backlog rule's omits them.
    @Test func snapshotCarriesTheDrainFigures() throws {
        let decision = Self.decide(backlog: 1000, now: 0)
        let snapshot = FleetSnapshot(decision: decision, queue: QueueBacklog(visible: 1000, inFlight: 0), maximum: 19,
                                     at: Self.at(0))
        #expect(snapshot.drainTargetSeconds == 30)
        let json = try APIJSON.encodeString(snapshot)
        #expect(json.contains("\"drainTargetSeconds\":30"))
        #expect(json.contains("\"projectedDrainSeconds\":66.25"))

        var backlogRule = Self.settings
        backlogRule.policy = .backlog
        let plain = FleetSnapshot(decision: Self.decide(backlog: 5, settings: backlogRule, now: 0),
                                  queue: QueueBacklog(visible: 5, inFlight: 0), maximum: 19, at: Self.at(0))
        #expect(!(try APIJSON.encodeString(plain)).contains("drainTarget"))
    }
}

extension ScalingPolicySLOTests {
    /// Settings built by hand, outside the configuration's validation, and a backlog beyond any
    /// throughput: the decision still comes back and says so.
    @Test func absurdInputsDoNotTrap() {
        var settings = Self.settings
        settings.initialImagesPerSecondPerInstance = 0
        settings.drainTargetSeconds = .infinity
        let decision = Self.decide(backlog: Int.max, settings: settings, now: 0)
        #expect(decision.launch == 1)  // any finite drain meets an infinite target
        #expect(decision.explanation.contains("target inf s, projected never"), "\(decision.explanation)")
        settings.drainTargetSeconds = 30
        settings.initialImagesPerSecondPerInstance = 1e-9
        let slow = Self.decide(backlog: Int.max, settings: settings, now: 0)
        #expect(slow.launch == 19)
        #expect(slow.explanation.contains("target 30 s, projected 1000000000000000 s"), "\(slow.explanation)")
    }
}
