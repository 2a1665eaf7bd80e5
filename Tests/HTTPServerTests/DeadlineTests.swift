import Testing
@testable import HTTPServer

/// The monotonic deadline that replaces `ContinuousClock.Instant` on the socket paths.
struct DeadlineTests {
    @Test("adding and subtracting durations round-trips to the nanosecond")
    func arithmetic() {
        let start = Deadline(nanoseconds: 1_000)
        let later = start + .milliseconds(1500) + .nanoseconds(7)
        #expect(later.nanoseconds == 1_500_001_007)
        #expect(later - start == .nanoseconds(1_500_000_007))
        #expect(later.duration(to: start) == .nanoseconds(-1_500_000_007))
        #expect(start < later)
        #expect(start + .seconds(-1) == Deadline(nanoseconds: 1_000 - 1_000_000_000))
    }

    @Test("a timeout too long to represent saturates to never instead of wrapping into the past")
    func saturates() {
        let now = Deadline.now
        #expect(now + .seconds(Int64.max) == Deadline(nanoseconds: .max))
        #expect(Deadline(nanoseconds: .max - 1) + .seconds(1) == Deadline(nanoseconds: .max))
        #expect(now + .seconds(Int64.min) == Deadline(nanoseconds: .min))
        #expect(now + .seconds(Int64.max) > now)
    }

    @Test("now follows the monotonic clock")
    func nowAdvances() async throws {
        let before = Deadline.now
        try await Task.sleep(for: .milliseconds(20))
        let elapsed = Deadline.now - before
        #expect(elapsed >= .milliseconds(20))
        #expect(elapsed < .seconds(10))
    }
}
