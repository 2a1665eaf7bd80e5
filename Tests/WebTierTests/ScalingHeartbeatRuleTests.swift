import Foundation
import Pipeline
import Testing
@testable import WebTier

/// The health rule, row by row: a running instance is terminated once it has been silent (no
/// worker heartbeat) for longer than the grace, counting from its launch, its last heartbeat, or
/// when the controller began listening, whichever is latest.
@Suite struct ScalingHeartbeatRuleTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    struct Row: Sendable, CustomStringConvertible {
        var name: String
        var state: InstanceState = .running
        var launchedAt: Double = 0
        var heardAt: Double?
        var watchingSince: Double = 0
        var grace: Double = 300
        var now: Double
        /// nil: kept; otherwise terminated, and whether its worker was ever heard from.
        var terminatedEverHeard: Bool?
        var description: String { name }
    }

    static let rows: [Row] = [
        Row(name: "booting, never heard, within grace", now: 299, terminatedEverHeard: nil),
        Row(name: "exactly at the grace is still kept", now: 300, terminatedEverHeard: nil),
        Row(name: "never heard past grace since launch (boot counts)", now: 301, terminatedEverHeard: false),
        Row(name: "heard recently", heardAt: 500, now: 700, terminatedEverHeard: nil),
        Row(name: "heartbeats stopped past grace", heardAt: 500, now: 801, terminatedEverHeard: true),
        Row(name: "a heartbeat older than the launch does not count", launchedAt: 1000, heardAt: 10, now: 1200,
            terminatedEverHeard: nil),
        Row(name: "restarted controller: silence before it listened is not held against anyone", launchedAt: 0,
            watchingSince: 5000, now: 5200, terminatedEverHeard: nil),
        Row(name: "restarted controller, still silent after its grace", launchedAt: 0, watchingSince: 5000, now: 5301,
            terminatedEverHeard: false),
        Row(name: "pending instances have their own limit", state: .pending, now: 10_000, terminatedEverHeard: nil),
        Row(name: "shutting-down instances are already leaving", state: .shuttingDown, now: 10_000, terminatedEverHeard: nil),
        Row(name: "grace 0 turns the rule off", grace: 0, now: 10_000, terminatedEverHeard: nil),
    ]

    @Test(arguments: rows)
    func row(_ row: Row) {
        let instance = FleetInstance(id: "i-1", state: row.state, launchedAt: Self.at(row.launchedAt))
        let terminations = HeartbeatRule.silentInstances(
            instances: [instance], lastHeartbeats: row.heardAt.map { ["i-1": Self.at($0)] } ?? [:],
            watchingSince: Self.at(row.watchingSince), graceSeconds: row.grace, now: Self.at(row.now))
        if let everHeard = row.terminatedEverHeard {
            #expect(terminations.map(\.instanceID) == ["i-1"])
            guard case let .noHeartbeat(_, grace, heard) = terminations.first?.reason else {
                Issue.record("wrong reason: \(terminations)")
                return
            }
            #expect(heard == everHeard)
            #expect(grace == row.grace)
        } else {
            #expect(terminations.isEmpty, "\(terminations)")
        }
    }

    @Test("only the silent ones of a fleet go, each once, and heartbeats are matched by instance id")
    func mixedFleet() {
        let fleet = [
            FleetInstance(id: "i-ok", state: .running, launchedAt: Self.at(0)),
            FleetInstance(id: "i-dead", state: .running, launchedAt: Self.at(0)),
            FleetInstance(id: "i-dead", state: .running, launchedAt: Self.at(0)),
            FleetInstance(id: "i-never", state: .running, launchedAt: Self.at(0)),
        ]
        let terminations = HeartbeatRule.silentInstances(
            instances: fleet, lastHeartbeats: ["i-ok": Self.at(390), "i-dead": Self.at(50), "someone-else": Self.at(399)],
            watchingSince: Self.at(0), graceSeconds: 300, now: Self.at(400))
        #expect(terminations.map(\.instanceID) == ["i-dead", "i-never"])
        #expect(terminations.map(\.reason.description) == [
            "no worker heartbeat for 350 s, over the 300 s grace", "never heard from its worker in 400 s, over the 300 s grace",
        ])
    }

    @Test("apply adds silent instances to the decision once, with the reason in the explanation instead of 'steady'")
    func applyToDecision() {
        var settings = ScalingSettings()
        settings.minInstances = 2
        let fleet = [FleetInstance(id: "i-a", state: .running, launchedAt: Self.at(0)),
                     FleetInstance(id: "i-b", state: .running, launchedAt: Self.at(0))]
        var decision = ScalingPolicy.decide(backlog: QueueBacklog(visible: 0, inFlight: 0), instances: fleet,
                                            settings: settings, state: ScalingState(), now: Self.at(400))
        #expect(decision.explanation.hasSuffix("steady"))
        HeartbeatRule.apply(to: &decision, instances: fleet, lastHeartbeats: ["i-a": Self.at(399)],
                            watchingSince: Self.at(0), graceSeconds: 300, now: Self.at(400))
        #expect(decision.terminations.map(\.instanceID) == ["i-b"])
        #expect(!decision.explanation.contains("steady"))
        #expect(decision.explanation.hasSuffix("terminate i-b: never heard from its worker in 400 s, over the 300 s grace"))
        HeartbeatRule.apply(to: &decision, instances: fleet, lastHeartbeats: ["i-a": Self.at(399)],
                            watchingSince: Self.at(0), graceSeconds: 300, now: Self.at(400))
        #expect(decision.terminations.count == 1, "not twice")
    }

    @Test("the grace must cover three heartbeats, or be 0")
    func graceValidation() throws {
        var configuration = Configuration()
        configuration.worker.heartbeatSeconds = 30
        configuration.scaling.heartbeatGraceSeconds = 60
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.scaling.heartbeatGraceSeconds = 90
        try configuration.validate()
        configuration.worker.heartbeatSeconds = 0
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.scaling.heartbeatGraceSeconds = 0
        try configuration.validate()
    }
}
