import Testing
import WebTier

@Suite("Token bucket")
struct TokenBucketTests {
    @Test("a burst is allowed at once, then one token per 1/rate seconds, never more than the burst saved up")
    func refillsAtItsRate() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(ratePerSecond: 2, burst: 3)
        #expect((0..<3).map { _ in bucket.take(at: start) } == [nil, nil, nil])
        #expect(bucket.take(at: start) == .seconds(0.5), "empty: the next token in half a second")
        #expect(bucket.take(at: start + .milliseconds(499)) != nil)
        #expect(bucket.take(at: start + .milliseconds(500)) == nil)
        // An hour idle saves up the burst, not 7200 tokens.
        let later = start + .seconds(3600)
        #expect((0..<4).map { _ in bucket.take(at: later) == nil } == [true, true, true, false])
    }
}
