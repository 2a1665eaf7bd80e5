import Foundation

/// One policy on one workload: what the users saw and what it cost.
public struct SimulationResult: Sendable, Equatable {
    public var policy: String
    public var workload: String
    /// Seconds from upload to answer, sorted; one per answered image.
    public var latencies: [Double]
    public var images: Int
    /// Seconds from the first upload to the last answer.
    public var lastResultSeconds: Double
    /// Per-second billing with the one-minute minimum, summed over every instance launched.
    public var billedInstanceSeconds: Double
    public var peakInstances: Int
    public var launches: Int
    /// The run hit its tail limit with instances still up (they are billed to the limit).
    public var cutOff: Bool
    /// Seconds warm-pool members spent stopped (billed for their volume only), summed.
    public var stoppedInstanceSeconds = 0.0
    /// Stopped warm-pool members started instead of a launch.
    public var warmStarts = 0

    public var unanswered: Int { images - latencies.count }

    /// The nearest-rank percentile (0...100) of the latencies; 0 with none.
    public func latencyPercentile(_ percentile: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let rank = Int((percentile / 100 * Double(latencies.count)).rounded(.up))
        return latencies[min(max(rank, 1), latencies.count) - 1]
    }

    /// The share of all images (unanswered ones count as late) answered within `seconds`.
    public func shareAnsweredWithin(_ seconds: Double) -> Double {
        guard images > 0 else { return 1 }
        var low = 0
        var high = latencies.count
        while low < high {
            let middle = (low + high) / 2
            if latencies[middle] <= seconds { low = middle + 1 } else { high = middle }
        }
        return Double(low) / Double(images)
    }
}
