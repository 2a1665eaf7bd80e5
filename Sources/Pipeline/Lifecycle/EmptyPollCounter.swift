/// The worker's idle rule (the original design's "terminate after X empty polls"): a long poll
/// that brings nothing while no job is in flight counts; anything received starts the count
/// again; `maxEmptyPolls` in a row mean the worker is idle and should shut down.
///
/// A value type in the shared layer so the app-tier worker and the scaling simulator run the
/// same rule, not two copies of it.
public struct EmptyPollCounter: Sendable, Equatable {
    public let maxEmptyPolls: Int
    public private(set) var emptyPolls = 0

    public init(maxEmptyPolls: Int) {
        self.maxEmptyPolls = max(maxEmptyPolls, 1)
    }

    /// Records one poll's outcome; true when the worker is now idle.
    ///
    /// An empty poll while jobs are still in flight is not idleness: the worker is busy, just
    /// not receiving, so it neither counts nor resets the run.
    public mutating func record(received: Int, jobsInFlight: Int) -> Bool {
        if received > 0 {
            emptyPolls = 0
            return false
        }
        guard jobsInFlight == 0 else { return false }
        emptyPolls += 1
        return emptyPolls >= maxEmptyPolls
    }
}
