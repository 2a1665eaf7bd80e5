import Foundation
import ScaleSim

/// The comparison as JSON, for `scripts/bench report` (its table and chart): the same figures as
/// `ComparisonTable`, as numbers, with the world they were simulated in.
struct ComparisonJSON: Encodable {
    struct World: Encodable {
        var bootSeconds: Double
        var networkMs: Double
        var sloSeconds: Double
        var imagesPerSecondPerInstance: Double
        var longPollSeconds: Double
        var maxEmptyPolls: Int
        var scale: Double
        var seed: UInt64
    }

    struct Row: Encodable {
        var workload: String
        var policy: String
        var images: Int
        var unanswered: Int
        var lastResultSeconds: Double
        var p50Seconds: Double
        var p95Seconds: Double
        /// Share of all images answered within the SLO (0...1).
        var withinSLO: Double
        var billedInstanceSeconds: Double
        /// Billed instance-seconds over the baseline policy's on the same workload; nil without one.
        var billedVsBaseline: Double?
        var peakInstances: Int
        var launches: Int
        var cutOff: Bool
    }

    var baselinePolicy: String
    var world: World
    var rows: [Row]

    init(results: [SimulationResult], baselinePolicy: String, world: World) {
        self.baselinePolicy = baselinePolicy
        self.world = world
        rows = results.map { result in
            let baseline = results.first { $0.workload == result.workload && $0.policy == baselinePolicy }
            return Row(
                workload: result.workload, policy: result.policy, images: result.images, unanswered: result.unanswered,
                lastResultSeconds: result.lastResultSeconds, p50Seconds: result.latencyPercentile(50),
                p95Seconds: result.latencyPercentile(95), withinSLO: result.shareAnsweredWithin(world.sloSeconds),
                billedInstanceSeconds: result.billedInstanceSeconds,
                billedVsBaseline: baseline.flatMap {
                    $0.billedInstanceSeconds > 0 ? result.billedInstanceSeconds / $0.billedInstanceSeconds : nil
                },
                peakInstances: result.peakInstances, launches: result.launches, cutOff: result.cutOff)
        }
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }
}
