import Foundation
import Testing
import WebTier

@Suite("WarmPoolPlan: starts, launches, new members and stopped extras")
struct WarmPoolPlanTests {
    typealias Candidate = WarmPoolPlan.Candidate

    static func stopped(_ id: String, member: Bool = true) -> Candidate { Candidate(id: id, state: .stopped, isMember: member, name: id) }
    static func running(_ id: String, member: Bool = false) -> Candidate { Candidate(id: id, state: .running, isMember: member, name: id) }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var count: Int
        var size: Int
        var instances: [Candidate]
        var expected: WarmPoolPlan
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "no pool: everything launched, nobody tagged", count: 3, size: 0, instances: [running("a")],
             expected: WarmPoolPlan(launch: 3)),
        Case(label: "empty pool fills from the first launches", count: 3, size: 2, instances: [],
             expected: WarmPoolPlan(launch: 3, newMembers: 2)),
        Case(label: "live members count towards the size", count: 3, size: 2, instances: [running("a", member: true)],
             expected: WarmPoolPlan(launch: 3, newMembers: 1)),
        Case(label: "stopped members are started first", count: 3, size: 2, instances: [stopped("b"), stopped("a")],
             expected: WarmPoolPlan(start: ["a", "b"], launch: 1)),
        Case(label: "more stopped members than needed: only what is asked", count: 1, size: 3,
             instances: [stopped("a"), stopped("b"), stopped("c")],
             expected: WarmPoolPlan(start: ["a"])),
        Case(label: "a stopped non-member is terminated, never started", count: 2, size: 2,
             instances: [stopped("x", member: false), stopped("a")],
             expected: WarmPoolPlan(start: ["a"], launch: 1, newMembers: 1, terminate: ["x"])),
        Case(label: "a lowered size: stopped members beyond it are terminated", count: 1, size: 1,
             instances: [stopped("a"), stopped("b"), stopped("c")],
             expected: WarmPoolPlan(start: ["a"], terminate: ["b", "c"])),
        Case(label: "pool turned off: every stopped member is terminated", count: 1, size: 0,
             instances: [stopped("a"), stopped("b")],
             expected: WarmPoolPlan(launch: 1, terminate: ["a", "b"])),
        Case(label: "members on their way out do not count", count: 2, size: 2,
             instances: [Candidate(id: "t", state: .shuttingDown, isMember: true), running("r", member: true)],
             expected: WarmPoolPlan(launch: 2, newMembers: 1)),
        Case(label: "a stopping member is neither started nor terminated, but counts", count: 2, size: 2,
             instances: [Candidate(id: "s", state: .stopping, isMember: true), stopped("a")],
             expected: WarmPoolPlan(start: ["a"], launch: 1)),
        Case(label: "a repeated listing entry is started once", count: 2, size: 2, instances: [stopped("a"), stopped("a")],
             expected: WarmPoolPlan(start: ["a"], launch: 1, newMembers: 0)),
        Case(label: "nothing asked: only the extras", count: 0, size: 1, instances: [stopped("a"), stopped("b")],
             expected: WarmPoolPlan(terminate: ["b"])),
    ]

    @Test(arguments: cases)
    func scaleOut(_ example: Case) {
        #expect(WarmPoolPlan.scaleOut(count: example.count, size: example.size, instances: example.instances) == example.expected)
    }

    @Test("beyondPool is the scale-out plan's terminations")
    func beyondPool() {
        for example in Self.cases {
            #expect(WarmPoolPlan.beyondPool(size: example.size, instances: example.instances) == example.expected.terminate)
        }
    }
}
