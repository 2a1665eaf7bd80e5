/// A cumulative histogram in the Prometheus sense: counts of observations at or below each bound,
/// plus their count and sum.
public struct LatencyHistogram: Sendable, Equatable {
    /// Upper bounds in seconds, ascending.
    public let bounds: [Double]
    public private(set) var bucketCounts: [Int]
    public private(set) var count = 0
    public private(set) var sum = 0.0

    public static let defaultBounds: [Double] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

    public init(bounds: [Double] = LatencyHistogram.defaultBounds) {
        self.bounds = bounds.sorted()
        bucketCounts = Array(repeating: 0, count: bounds.count)
    }

    public mutating func observe(seconds: Double) {
        count += 1
        sum += seconds
        for (index, bound) in bounds.enumerated() where seconds <= bound { bucketCounts[index] += 1 }
    }

    /// Exposition lines for metric `name` (`_bucket`, `_sum`, `_count`).
    public func lines(name: String) -> [String] {
        var lines: [String] = []
        for (bound, count) in zip(bounds, bucketCounts) {
            lines.append("\(name)_bucket{le=\"\(PrometheusText.number(bound))\"} \(count)")
        }
        lines.append("\(name)_bucket{le=\"+Inf\"} \(count)")
        lines.append("\(name)_sum \(PrometheusText.number(sum))")
        lines.append("\(name)_count \(count)")
        return lines
    }
}
