import Foundation
import Pipeline
import Testing
import TestSupport
@testable import ScaleSim
@testable import WebTier

/// The simulator on small workloads with fixed seeds: its bookkeeping, the worker's idle rule it
/// runs, and the comparison's headline on a small burst.
@Suite struct FleetSimulatorTests {
    static let parameters = SimulationParameters()

    static func run(_ workload: Workload, _ strategy: some ScalingStrategy,
                    parameters: SimulationParameters = parameters, seed: UInt64 = 7) -> SimulationResult {
        var random = SeededGenerator(seed: seed)
        return FleetSimulator.run(workload: workload, strategy: strategy, parameters: parameters, random: &random)
    }

    static func strategy(_ name: String, parameters: SimulationParameters = parameters) -> any ScalingStrategy {
        StandardComparison.strategies(parameters: parameters, drainTargetSeconds: 30).first { $0.name == name }!
    }

    @Test func sameSeedSameRun() {
        let workload = Workload.streamWithBursts(imagesPerSecond: 5, seconds: 120, burstImages: 100,
                                                 burstEverySeconds: 60, burstImagesPerSecond: 87)
        for name in [StandardComparison.originalDesign, StandardComparison.drainTarget, StandardComparison.targetTracking] {
            #expect(Self.run(workload, Self.strategy(name)) == Self.run(workload, Self.strategy(name)))
        }
    }

    /// Every image answered, no latency below the boot time on a cold fleet, every instance billed
    /// at least the minute.
    @Test(arguments: [StandardComparison.originalDesign, StandardComparison.drainTarget, StandardComparison.targetTracking])
    func burstIsAnsweredAndBilled(policy: String) {
        let result = Self.run(.burst(images: 200, imagesPerSecond: 87), Self.strategy(policy))
        #expect(result.unanswered == 0)
        #expect(!result.cutOff)
        #expect(result.latencies.first.map { $0 >= Self.parameters.bootSeconds } == true)
        #expect(result.billedInstanceSeconds >= Double(result.launches) * Self.parameters.billingMinimumSeconds)
        #expect(result.peakInstances >= 1 && result.peakInstances <= 19)
    }

    /// The original design's fleet idles out only after X empty long polls: with X = 12 each
    /// instance outlives its work by about a minute more than with X = 1.
    @Test func workersIdleOutAfterTheEmptyPolls() {
        var patient = Self.parameters
        patient.maxEmptyPolls = 12
        var eager = Self.parameters
        eager.maxEmptyPolls = 1
        let burst = Workload.burst(images: 50, imagesPerSecond: 87)
        let slow = Self.run(burst, Self.strategy(StandardComparison.originalDesign, parameters: patient), parameters: patient)
        let fast = Self.run(burst, Self.strategy(StandardComparison.originalDesign, parameters: eager), parameters: eager)
        #expect(slow.launches == fast.launches)
        let extraPerInstance = (slow.billedInstanceSeconds - fast.billedInstanceSeconds) / Double(slow.launches)
        #expect(extraPerInstance >= 11 * Self.parameters.longPollSeconds - 1)
        #expect(extraPerInstance <= 12 * Self.parameters.longPollSeconds + 1)
    }

    /// In a steady stream every worker keeps receiving, so none sees X empty polls in a row: the
    /// original design never scales in; ours releases what the target does not need.
    @Test func streamKeepsTheOriginalFleetButNotOurs() {
        let stream = Workload.streamWithBursts(imagesPerSecond: 10, seconds: 400, burstImages: 300,
                                               burstEverySeconds: 200, burstImagesPerSecond: 87)
        let original = Self.run(stream, Self.strategy(StandardComparison.originalDesign))
        let ours = Self.run(stream, Self.strategy(StandardComparison.drainTarget))
        #expect(original.peakInstances == 19)
        #expect(original.billedInstanceSeconds > 19 * 400)
        #expect(ours.billedInstanceSeconds < original.billedInstanceSeconds / 4)
        #expect(ours.shareAnsweredWithin(30) >= original.shareAnsweredWithin(30) - 0.05)
    }

    /// The scaling goal on a small burst: our p95 within a second of the best other policy's, with
    /// at least 30% fewer billed instance-seconds than the original design.
    @Test func sloPolicyMatchesTheBestLatencyForLessOnABurst() {
        let burst = Workload.burst(images: 600, imagesPerSecond: 87)
        let results = StandardComparison.strategies(parameters: Self.parameters, drainTargetSeconds: 30)
            .map { Self.run(burst, $0) }
        let ours = results.first { $0.policy == StandardComparison.drainTarget }!
        let original = results.first { $0.policy == StandardComparison.originalDesign }!
        let bestOtherP95 = results.filter { $0.policy != ours.policy }.map { $0.latencyPercentile(95) }.min()!
        #expect(ours.latencyPercentile(95) <= bestOtherP95 + 1, "\(results.map { ($0.policy, $0.latencyPercentile(95)) })")
        #expect(ours.billedInstanceSeconds <= 0.7 * original.billedInstanceSeconds)
    }

    /// The AWS recipe's alarm needs three one-minute datapoints above the target before it adds
    /// capacity, and keeps its minimum of one from the start.
    @Test func targetTrackingWaitsForThreeDatapoints() {
        var strategy = TargetTrackingStrategy(targetBacklogPerInstance: 100, warmupSeconds: 60, maxInstances: 19)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let one = [FleetInstance(id: "i-0", state: .running, launchedAt: start - 600)]
        let empty = strategy.decide(backlog: QueueBacklog(visible: 0, inFlight: 0), instances: [], now: start)
        let backlog = QueueBacklog(visible: 1000, inFlight: 0)
        let launches = [60.0, 120, 180].map { strategy.decide(backlog: backlog, instances: one, now: start + $0).launch }
        #expect(empty.launch == 1)
        #expect(launches == [0, 0, 9])
    }
}

extension FleetSimulatorTests {
    /// The report's ratios are to the original design on the same workload.
    @Test func tableComparesWithTheOriginalDesign() {
        func result(_ policy: String, _ workload: String, billed: Double) -> SimulationResult {
            SimulationResult(policy: policy, workload: workload, latencies: [1, 2, 3, 40], images: 5, lastResultSeconds: 50,
                             billedInstanceSeconds: billed, peakInstances: 2, launches: 3, cutOff: false)
        }
        let table = ComparisonTable(results: [
            result("original", "burst", billed: 2000), result("ours", "burst", billed: 500),
            result("original", "stream", billed: 100), result("ours", "stream", billed: 150),
        ], baselinePolicy: "original", sloSeconds: 30).markdown().split(separator: "\n").map(String.init)
        #expect(table.count == 6)
        #expect(table[3].hasPrefix("| burst | ours | 50.0 s | 2.00 s | 40.0 s | 60.0% | 500 (1 unanswered) | 0.25 | 2 | 3 |"),
                "\(table[3])")
        #expect(table[5].contains("| 150 (1 unanswered) | 1.50 |"))
    }
}
