import Foundation

/// The report: one row per policy and workload, costs and latencies also as ratios to a baseline
/// policy (the original design) on the same workload.
public struct ComparisonTable: Sendable {
    public var results: [SimulationResult]
    public var baselinePolicy: String
    /// The SLO the "within" column measures.
    public var sloSeconds: Double

    public init(results: [SimulationResult], baselinePolicy: String, sloSeconds: Double) {
        self.results = results
        self.baselinePolicy = baselinePolicy
        self.sloSeconds = sloSeconds
    }

    /// A Markdown table.
    public func markdown() -> String {
        var lines = [
            "| workload | policy | last result | p50 | p95 | within \(Self.number(sloSeconds)) s | instance-s billed | vs original | peak | launches |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for result in results {
            let baseline = results.first { $0.workload == result.workload && $0.policy == baselinePolicy }
            let ratio = baseline.map { $0.billedInstanceSeconds > 0 ? result.billedInstanceSeconds / $0.billedInstanceSeconds : 0 }
            let notes = (result.stoppedInstanceSeconds > 0 ? " (+\(Int(result.stoppedInstanceSeconds.rounded())) stopped)" : "")
                + (result.unanswered > 0 ? " (\(result.unanswered) unanswered)" : "")
                + (result.cutOff ? " (cut off)" : "")
            lines.append("| \(result.workload) | \(result.policy) | \(Self.seconds(result.lastResultSeconds)) | "
                + "\(Self.seconds(result.latencyPercentile(50))) | \(Self.seconds(result.latencyPercentile(95))) | "
                + "\(String(format: "%.1f%%", 100 * result.shareAnsweredWithin(sloSeconds))) | "
                + "\(Int(result.billedInstanceSeconds.rounded()))\(notes) | "
                + "\(ratio.map { String(format: "%.2f", $0) } ?? "") | \(result.peakInstances) | \(result.launches)"
                + (result.warmStarts > 0 ? " + \(result.warmStarts) starts" : "") + " |")
        }
        return lines.joined(separator: "\n")
    }

    static func seconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.2f s", value) : String(format: "%.1f s", value)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))" : String(format: "%.1f", value)
    }
}
