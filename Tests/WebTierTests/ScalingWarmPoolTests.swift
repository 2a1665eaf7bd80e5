import Foundation
import Pipeline
import Testing
@testable import WebTier

/// The `slo` policy with a warm pool: stopped members in the listing are new capacity that takes
/// work after `warmPool.startSeconds` instead of the boot, so fewer instances meet the target.
@Suite struct ScalingWarmPoolTests {
    static func stopped(_ count: Int) -> [FleetInstance] {
        (0..<count).map { FleetInstance(id: "s\($0)", state: .stopped, launchedAt: ScalingPolicySLOTests.at(-3600)) }
    }

    static func settings(pool: Int) -> ScalingSettings {
        var settings = ScalingPolicySLOTests.settings
        settings.warmPool.size = pool
        settings.warmPool.startSeconds = 20
        return settings
    }

    /// 300 images at 10/s per instance: 3 members started at once drain by 20 + 300/30 = 30 s, the target.
    @Test func stoppedMembersMeetTheTargetThatColdBootsCannot() throws {
        let warm = ScalingPolicySLOTests.decide(backlog: 300, instances: Self.stopped(5), settings: Self.settings(pool: 5), now: 0)
        #expect(warm.launch == 3)
        #expect(abs(try #require(warm.projectedDrainSeconds) - 30) < 1e-9)
        let cold = ScalingPolicySLOTests.decide(backlog: 300, instances: [], settings: Self.settings(pool: 5), now: 0)
        #expect(try #require(cold.projectedDrainSeconds) > 60)
    }

    /// Stopped instances are never capacity, and without a pool they are not warm capacity either.
    @Test func stoppedInstancesWithoutAPoolAreIgnored() {
        let decision = ScalingPolicySLOTests.decide(backlog: 300, instances: Self.stopped(5), settings: Self.settings(pool: 0),
                                                    now: 0)
        let cold = ScalingPolicySLOTests.decide(backlog: 300, instances: [], settings: Self.settings(pool: 0), now: 0)
        #expect(decision.capacity == 0)
        #expect(decision.launch == cold.launch)
        #expect(decision.projectedDrainSeconds == cold.projectedDrainSeconds)
    }

    /// More than the pool's size listed stopped (extras not yet terminated): only `size` count as warm.
    @Test func onlyThePoolSizeCountsAsWarm() throws {
        let decision = ScalingPolicySLOTests.decide(backlog: 300, instances: Self.stopped(8), settings: Self.settings(pool: 2),
                                                    now: 0)
        let two = ScalingPolicySLOTests.decide(backlog: 300, instances: Self.stopped(2), settings: Self.settings(pool: 2), now: 0)
        #expect(decision.launch == two.launch)
        #expect(decision.projectedDrainSeconds == two.projectedDrainSeconds)
    }

    @Test("DrainTargetPlan: new instances are the warm starts first, then boots")
    func newInstances() {
        #expect(DrainTargetPlan.newInstances(3, warm: [20, 20], boot: 60) == [20, 20, 60])
        #expect(DrainTargetPlan.newInstances(1, warm: [20, 20], boot: 60) == [20])
        #expect(DrainTargetPlan.newInstances(0, warm: [20], boot: 60) == [])
    }
}
