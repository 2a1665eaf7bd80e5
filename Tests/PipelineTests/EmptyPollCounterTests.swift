import Pipeline
import Testing

/// The worker's idle rule, shared by the app tier and the scaling simulator.
@Suite struct EmptyPollCounterTests {
    /// Feeds polls (images received, jobs in flight) and returns what the rule said after each.
    static func idle(after polls: [(received: Int, inFlight: Int)], maxEmptyPolls: Int) -> ([Bool], Int) {
        var rule = EmptyPollCounter(maxEmptyPolls: maxEmptyPolls)
        let verdicts = polls.map { rule.record(received: $0.received, jobsInFlight: $0.inFlight) }
        return (verdicts, rule.emptyPolls)
    }

    @Test func idleAfterMaxEmptyPollsInARow() {
        let (verdicts, count) = Self.idle(after: [(0, 0), (0, 0), (0, 0)], maxEmptyPolls: 3)
        #expect(verdicts == [false, false, true])
        #expect(count == 3)
    }

    @Test func anythingReceivedStartsTheCountAgain() {
        let (verdicts, _) = Self.idle(after: [(0, 0), (4, 0), (0, 0), (0, 0)], maxEmptyPolls: 2)
        #expect(verdicts == [false, false, false, true])
    }

    /// A busy worker polling empty is not idle: the poll neither counts nor resets the run.
    @Test func emptyPollsWhileBusyDoNotCount() {
        let busy = Array(repeating: (received: 0, inFlight: 3), count: 10)
        let (verdicts, count) = Self.idle(after: [(0, 0)] + busy, maxEmptyPolls: 2)
        #expect(!verdicts.contains(true))
        #expect(count == 1)
        let (finally, _) = Self.idle(after: [(0, 0)] + busy + [(0, 0)], maxEmptyPolls: 2)
        #expect(finally.last == true)
    }

    @Test func maximumBelowOneActsAsOne() {
        let (verdicts, _) = Self.idle(after: [(0, 0)], maxEmptyPolls: 0)
        #expect(verdicts == [true])
    }
}
