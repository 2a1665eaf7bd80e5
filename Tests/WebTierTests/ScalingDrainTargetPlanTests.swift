import Foundation
import Testing
@testable import WebTier

/// The `slo` policy's arithmetic, row by row: 10 images per second per instance, 60 s boot.
@Suite struct ScalingDrainTargetPlanTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var backlog: Int
        var ready: [Double] = []
        var arrivals = 0.0
        var target = 30.0
        var minimum = 0
        var maximum = 19
        var reserve = 0.0
        var desired: Int
        var meets: Bool
        var projectedWithDesired: Double?
        var note: String
        var testDescription: String { note }
    }

    @Test(arguments: [
        Row(backlog: 0, desired: 0, meets: true, projectedWithDesired: 0, note: "nothing to do, nothing wanted"),
        Row(backlog: 100, ready: [0], desired: 1, meets: true, projectedWithDesired: 10, note: "one running instance drains 100 in 10 s"),
        Row(backlog: 600, ready: [0], desired: 1, meets: false, projectedWithDesired: 60,
            note: "60 s of work on one instance: a new one would be ready only when it is done"),
        Row(backlog: 900, ready: [0, 0], desired: 2, meets: false, projectedWithDesired: 45,
            note: "two running finish at 45 s, before any new one boots"),
        Row(backlog: 1000, desired: 16, meets: false, projectedWithDesired: 60 + 1000.0 / 160,
            note: "cold burst: 19 would finish at 65.3 s; 16 finish within a second of that"),
        Row(backlog: 1000, target: 120, desired: 2, meets: true, projectedWithDesired: 110,
            note: "a reachable target: two instances finish at 110 s"),
        Row(backlog: 0, ready: [0, 0, 0, 0], arrivals: 25, desired: 3, meets: true, projectedWithDesired: 0,
            note: "25 images/s keep 3 of 4 instances"),
        Row(backlog: 0, ready: [0], arrivals: 25, desired: 1, meets: true, projectedWithDesired: 0,
            note: "arrivals with nothing waiting launch nothing"),
        Row(backlog: 0, ready: [0, 0], arrivals: 0.02, desired: 0, meets: true, projectedWithDesired: 0,
            note: "under one image per target window is no stream"),
        Row(backlog: 100, ready: [0], arrivals: 25, desired: 17, meets: false, projectedWithDesired: 60 + 1000.0 / 145,
            note: "arrivals outpace the instance: the shortfall grows until new ones boot"),
        Row(backlog: 300, ready: [20], desired: 1, meets: false, projectedWithDesired: 50,
            note: "a pending instance ready in 20 s finishes at 50 s, before new ones could help"),
        Row(backlog: 0, minimum: 2, desired: 2, meets: true, projectedWithDesired: 0, note: "the minimum holds"),
        Row(backlog: 0, ready: [0, 0, 0, 0], reserve: 500, desired: 2, meets: true, projectedWithDesired: 0,
            note: "a recent burst of 500 keeps the 2 of 4 that would answer it within 30 s"),
        Row(backlog: 0, ready: [0], reserve: 5000, desired: 1, meets: true, projectedWithDesired: 0,
            note: "a recent burst keeps instances but launches none"),
        Row(backlog: 0, reserve: 500, desired: 0, meets: true, projectedWithDesired: 0, note: "no instances, none kept"),
        Row(backlog: 500, maximum: 0, desired: 0, meets: false, projectedWithDesired: nil, note: "scaling switched off"),
        Row(backlog: 5000, maximum: 3, desired: 3, meets: false, projectedWithDesired: 60 + 5000.0 / 30,
            note: "the maximum caps an unreachable target"),
    ])
    func plan(row: Row) throws {
        let plan = DrainTargetPlan.plan(
            backlog: row.backlog, readyInSeconds: row.ready, imagesPerSecondPerInstance: 10, arrivalsPerSecond: row.arrivals,
            bootSeconds: 60, targetSeconds: row.target, minimum: row.minimum, maximum: row.maximum,
            reserveBacklog: row.reserve)
        #expect(plan.desired == row.desired)
        #expect(plan.meetsTarget == row.meets)
        if let expected = row.projectedWithDesired {
            let projected = try #require(plan.projectedSecondsWithDesired)
            #expect(abs(projected - expected) < 1e-9)
        } else {
            #expect(plan.projectedSecondsWithDesired == nil)
        }
        #expect(plan.targetSeconds == row.target)
    }

    struct DrainRow: Sendable, CustomTestStringConvertible {
        var backlog: Double
        var ready: [Double]
        var arrivals: Double
        var seconds: Double?
        var testDescription: String { "\(backlog) images, ready at \(ready), \(arrivals)/s arriving → \(seconds.map { "\($0) s" } ?? "never")" }
    }

    @Test(arguments: [
        DrainRow(backlog: 100, ready: [0], arrivals: 0, seconds: 10),
        DrainRow(backlog: 100, ready: [5, 0], arrivals: 0, seconds: 7.5),      // 50 alone, then 50 at 20/s
        DrainRow(backlog: 100, ready: [], arrivals: 0, seconds: nil),
        DrainRow(backlog: 0, ready: [], arrivals: 5, seconds: 0),
        DrainRow(backlog: 100, ready: [0], arrivals: 10, seconds: nil),        // only keeps up
        DrainRow(backlog: 100, ready: [0, 0], arrivals: 10, seconds: 10),
        DrainRow(backlog: 100, ready: [10], arrivals: 5, seconds: 40),         // 150 short at 10 s, 5/s net
        DrainRow(backlog: 100, ready: [0, 100], arrivals: 15, seconds: 220),   // 600 short at 100 s, 5/s net
    ])
    func projectedDrain(row: DrainRow) throws {
        let seconds = DrainTargetPlan.projectedDrainSeconds(backlog: row.backlog, readyInSeconds: row.ready, rate: 10,
                                                            arrivals: row.arrivals)
        if let expected = row.seconds {
            #expect(abs(try #require(seconds) - expected) < 1e-9)
        } else {
            #expect(seconds == nil)
        }
    }

    /// More instances never drain later, and the plan is the fewest that meet the target.
    @Test(arguments: [50, 300, 1000, 4000])
    func desiredIsTheFewestThatMeetTheTarget(backlog: Int) throws {
        let plan = DrainTargetPlan.plan(backlog: backlog, readyInSeconds: [0, 0], imagesPerSecondPerInstance: 10,
                                        arrivalsPerSecond: 0, bootSeconds: 20, targetSeconds: 45, minimum: 0, maximum: 19)
        let drains = (1...19).map { count in
            DrainTargetPlan.projectedDrainSeconds(
                backlog: Double(backlog), readyInSeconds: Array([0, 0].prefix(count)) + Array(repeating: 20, count: max(count - 2, 0)),
                rate: 10) ?? .infinity
        }
        #expect(zip(drains, drains.dropFirst()).allSatisfy { $0 >= $1 })
        if plan.meetsTarget {
            #expect(drains[plan.desired - 1] <= 45)
            if plan.desired > 1 { #expect(drains[plan.desired - 2] > 45) }
        } else {
            #expect(drains[18] > 45)
        }
    }
}
