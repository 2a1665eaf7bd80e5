import Foundation
import Pipeline
import Testing
@testable import WebTier

/// `WarmPoolPrefill`: members are launched ahead of demand only while the queue is empty and
/// nothing else launches, never beyond the pool, the maximum, the per-tick limit or the cool-down.
@Suite struct WarmPoolPrefillTests {
    static func pool(_ size: Int, prefill: Bool? = nil) -> WarmPoolSettings {
        var pool = WarmPoolSettings()
        pool.size = size
        pool.prefill = prefill
        return pool
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var pool: WarmPoolSettings
        var backlog = 0
        var members = 0
        var capacityAfter = 0
        var maximum = 19
        var perTick = 5
        var coolingDown = false
        var launching = 0
        var heldBack = 0
        var expected: Int
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "an empty fleet fills the pool", pool: pool(3), expected: 3),
        Row(name: "members already there count (stopped or live)", pool: pool(5), members: 3, capacityAfter: 1, expected: 2),
        Row(name: "a full pool launches nothing", pool: pool(3), members: 3, expected: 0),
        Row(name: "more members than the size (lowered) launches nothing", pool: pool(2), members: 4, expected: 0),
        Row(name: "no pool, no prefill", pool: pool(0), expected: 0),
        Row(name: "prefill turned off", pool: pool(3, prefill: false), expected: 0),
        Row(name: "a backlog is the ordinary rule's business", pool: pool(3), backlog: 1, expected: 0),
        Row(name: "not while the decision launches", pool: pool(3), launching: 1, expected: 0),
        Row(name: "not while launches are held back", pool: pool(3), heldBack: 1, expected: 0),
        Row(name: "not during the cool-down", pool: pool(3), coolingDown: true, expected: 0),
        Row(name: "at most maxLaunchesPerTick", pool: pool(8), perTick: 3, expected: 3),
        Row(name: "never above the maximum", pool: pool(5), capacityAfter: 3, maximum: 4, expected: 1),
        Row(name: "a full fleet launches nothing", pool: pool(5), capacityAfter: 4, maximum: 4, expected: 0),
        Row(name: "a fleet above a lowered maximum launches nothing", pool: pool(5), capacityAfter: 6, maximum: 4,
            expected: 0),
    ]

    @Test(arguments: rows)
    func count(row: Row) {
        #expect(WarmPoolPrefill.count(
            pool: row.pool, backlog: row.backlog, members: row.members, capacityAfter: row.capacityAfter,
            maximum: row.maximum, perTick: row.perTick, coolingDown: row.coolingDown, launching: row.launching,
            heldBack: row.heldBack) == row.expected)
    }

    static let epoch = Date(timeIntervalSince1970: 1_000_000)

    static func settings(pool size: Int) -> ScalingSettings {
        var settings = ScalingSettings()
        settings.warmPool.size = size
        settings.maxInstances = 10
        settings.maxLaunchesPerTick = 5
        settings.launchCooldownSeconds = 30
        return settings
    }

    static func decide(_ instances: [FleetInstance], settings: ScalingSettings, state: ScalingState = ScalingState(),
                       backlog: Int = 0, now: Date = epoch) -> ScalingDecision {
        var decision = ScalingPolicy.decide(backlog: QueueBacklog(visible: backlog, inFlight: 0), instances: instances,
                                            settings: settings, state: state, now: now)
        WarmPoolPrefill.apply(to: &decision, instances: instances, settings: settings, state: state, now: now)
        return decision
    }

    @Test("members are counted from the listing (not gone, each id once) and launches not yet listed")
    func membersFromTheListing() {
        let member = { (id: String, state: InstanceState) in
            FleetInstance(id: id, state: state, launchedAt: Self.epoch - 600, isPoolMember: true)
        }
        let instances = [member("a", .stopped), member("b", .running), member("b", .running), member("c", .stopping),
                         member("d", .shuttingDown), member("e", .terminated),
                         FleetInstance(id: "x", state: .running, launchedAt: Self.epoch - 600)]
        let decision = Self.decide(instances, settings: Self.settings(pool: 5))
        #expect(decision.prefill == 2, "a, b and c are members; d and e are gone; x is no member")
        #expect(decision.explanation.contains("prefill warm pool: launch 2 (3 of 5 members)"), "\(decision.explanation)")
        #expect(!decision.explanation.contains("steady"))
        #expect(decision.capacityAfter == 4, "b and x run; the two new members are pending capacity")

        let unlisted = ScalingState(unlistedLaunches: ["i-new": Self.epoch - 10])
        #expect(Self.decide(instances, settings: Self.settings(pool: 5), state: unlisted).prefill == 1)
    }

    @Test("the cool-down after a launch holds the prefill; a backlog launches ordinarily instead")
    func coolDownAndBacklog() {
        let settings = Self.settings(pool: 3)
        let recent = ScalingState(lastLaunchAt: Self.epoch - 10)
        #expect(Self.decide([], settings: settings, state: recent).prefill == 0)
        #expect(Self.decide([], settings: settings, state: ScalingState(lastLaunchAt: Self.epoch - 31)).prefill == 3)
        let busy = Self.decide([], settings: settings, backlog: 2)
        #expect(busy.launch == 2 && busy.prefill == 0)
    }

    @Test("no pool: the decision is untouched")
    func noPool() {
        let plain = ScalingPolicy.decide(backlog: QueueBacklog(visible: 0, inFlight: 0), instances: [],
                                         settings: Self.settings(pool: 0), state: ScalingState(), now: Self.epoch)
        #expect(Self.decide([], settings: Self.settings(pool: 0)) == plain)
    }

    @Test("the fleet's own check: the room left in the pool, from its listing")
    func prefillRoom() {
        let candidates = [
            WarmPoolPlan.Candidate(id: "a", state: .stopped, isMember: true),
            WarmPoolPlan.Candidate(id: "a", state: .stopped, isMember: true),
            WarmPoolPlan.Candidate(id: "b", state: .pending, isMember: true),
            WarmPoolPlan.Candidate(id: "c", state: .shuttingDown, isMember: true),
            WarmPoolPlan.Candidate(id: "d", state: .running, isMember: false),
        ]
        #expect(WarmPoolPlan.prefillRoom(size: 5, instances: candidates) == 3)
        #expect(WarmPoolPlan.prefillRoom(size: 1, instances: candidates) == 0)
        #expect(WarmPoolPlan.prefillRoom(size: 0, instances: []) == 0)
    }
}
