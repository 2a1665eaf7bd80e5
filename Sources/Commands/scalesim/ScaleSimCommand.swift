import ArgumentParser
import Foundation
import Pipeline
import ScaleSim
import TestSupport

/// `swift run scalesim`: the autoscaling policies side by side in simulated time.
@main
struct ScaleSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scalesim",
        abstract: "Compares the autoscaling policies on simulated workloads (burst, stream with bursts, diurnal).")

    @Option(name: .long, help: "The SLO policy's drain target and the latency the 'within' column counts, in seconds.")
    var target = 30.0

    @Option(name: .long, help: "Seconds from launch until an instance's worker takes work.")
    var boot = 60.0

    @Option(name: .long, help: "S3 and SQS round trips per image on a worker, in milliseconds (the model's time is drawn from measured classify timings).")
    var networkMs = 100.0

    @Option(name: .long, help: "Shrinks the workloads (0.01...1) for a quick run.")
    var scale = 1.0

    @Option(name: .long, help: "Seed for arrivals and service times.")
    var seed: UInt64 = 12

    @Option(name: .long, help: "worker.maxEmptyPollsBeforeShutdown (the original design's X).")
    var maxEmptyPolls: Int?

    @Option(name: .long, help: "Also write the comparison as JSON to this file (scripts/bench report).")
    var json: String?

    @Option(name: .long, help: "Adds ours with a warm pool of this many stopped, pre-initialised instances (0: no such row).")
    var warmPool = 5

    @Option(name: .long, help: "Seconds to start a stopped warm-pool instance until its worker takes work.")
    var warmStart = 20.0

    mutating func run() throws {
        guard target > 0, boot >= 0, networkMs >= 0, warmPool >= 0, warmStart >= 0 else {
            throw ValidationError("--target must be positive; --boot, --network-ms, --warm-pool and --warm-start not negative")
        }
        var configuration = Configuration()
        if let maxEmptyPolls { configuration.worker.maxEmptyPollsBeforeShutdown = max(maxEmptyPolls, 1) }
        var parameters = SimulationParameters(configuration: configuration)
        parameters.bootSeconds = boot
        parameters.serviceTimes = ServiceTimes(networkSeconds: networkMs / 1000)
        let perInstance = parameters.serviceTimes.capacityPerInstance(parallelism: parameters.parallelism)
        print("boot \(Int(boot)) s, \(Int(networkMs)) ms S3/SQS per image, parallelism \(parameters.parallelism): "
              + String(format: "%.1f", perInstance) + " images/s per instance; idle after "
              + "\(parameters.maxEmptyPolls) empty \(Int(parameters.longPollSeconds)) s polls; seed \(seed)"
              + (warmPool > 0 ? "; warm pool \(warmPool), started in \(Int(warmStart)) s" : "") + "\n")
        var pool = WarmPoolSettings()
        pool.size = warmPool
        pool.startSeconds = warmStart
        var results: [SimulationResult] = []
        for workload in StandardComparison.workloads(scale: scale) {
            for strategy in StandardComparison.strategies(configuration: configuration, parameters: parameters,
                                                          drainTargetSeconds: target, warmPool: pool) {
                var random = SeededGenerator(seed: seed)
                results.append(FleetSimulator.run(workload: workload, strategy: strategy, parameters: parameters,
                                                  random: &random))
            }
        }
        print(ComparisonTable(results: results, baselinePolicy: StandardComparison.originalDesign, sloSeconds: target)
            .markdown())
        if let json {
            try ComparisonJSON(results: results, baselinePolicy: StandardComparison.originalDesign, world: .init(
                bootSeconds: boot, networkMs: networkMs, sloSeconds: target, imagesPerSecondPerInstance: perInstance,
                longPollSeconds: parameters.longPollSeconds, maxEmptyPolls: parameters.maxEmptyPolls, scale: scale,
                seed: seed)).write(to: json)
        }
    }
}
