import Foundation
import Pipeline
import Testing
import TestSupport
@testable import ScaleSim
@testable import WebTier

/// The simulator's warm pool: stopped members started first (after `startSeconds`, not the
/// boot), members stopping instead of ending, stopped time counted apart from compute.
@Suite struct WarmPoolSimulationTests {
    static let parameters = SimulationParameters()

    static func pool(_ size: Int, startSeconds: Double = 20) -> WarmPoolSettings {
        var pool = WarmPoolSettings()
        pool.size = size
        pool.startSeconds = startSeconds
        return pool
    }

    static func run(_ workload: Workload, pool: WarmPoolSettings) -> [String: SimulationResult] {
        var results: [String: SimulationResult] = [:]
        for strategy in StandardComparison.strategies(parameters: parameters, drainTargetSeconds: 30, warmPool: pool) {
            var random = SeededGenerator(seed: 7)
            let result = FleetSimulator.run(workload: workload, strategy: strategy, parameters: parameters, random: &random)
            results[result.policy] = result
        }
        return results
    }

    @Test("no pool, no extra row; a pool adds 'ours + warm pool N' and leaves the other rows as they were")
    func rows() {
        let burst = Workload.burst(images: 200, imagesPerSecond: 87)
        let without = Self.run(burst, pool: Self.pool(0))
        let with = Self.run(burst, pool: Self.pool(3))
        #expect(without.count == 3)
        #expect(with.count == 4)
        for (policy, result) in without { #expect(with[policy] == result, "\(policy)") }
        #expect(without.values.allSatisfy { $0.stoppedInstanceSeconds == 0 && $0.warmStarts == 0 })
    }

    @Test("a burst is answered by started members: first answers after the start, not the boot; no cold launch")
    func burstStartsMembers() throws {
        let burst = Workload.burst(images: 1000, imagesPerSecond: 87)
        let results = Self.run(burst, pool: Self.pool(5))
        let cold = try #require(results[StandardComparison.drainTarget])
        let warm = try #require(results[StandardComparison.warmPool(5)])
        #expect(warm.unanswered == 0 && !warm.cutOff)
        #expect(warm.warmStarts == 5)
        #expect(warm.launches == 0)
        #expect(try #require(warm.latencies.first) >= 20)
        #expect(try #require(warm.latencies.first) < Self.parameters.bootSeconds)
        #expect(warm.latencyPercentile(95) < 30)
        #expect(cold.latencyPercentile(95) > Self.parameters.bootSeconds)
        #expect(warm.billedInstanceSeconds < cold.billedInstanceSeconds / 2)
        // Each start bills its own minute; the members waited stopped before and after.
        #expect(warm.billedInstanceSeconds >= 5 * Self.parameters.billingMinimumSeconds)
        #expect(warm.stoppedInstanceSeconds > 0)
    }

    @Test("members go back to the pool: a second burst starts them again")
    func membersStopAndStartAgain() throws {
        let twice = Workload.streamWithBursts(imagesPerSecond: 0.01, seconds: 900, burstImages: 300,
                                              burstEverySeconds: 450, burstImagesPerSecond: 87)
        let warm = try #require(Self.run(twice, pool: Self.pool(2))[StandardComparison.warmPool(2)])
        #expect(warm.unanswered == 0)
        #expect(warm.warmStarts >= 4, "both members started for each of the two bursts")
    }

    @Test("a slower start is seen in the latencies")
    func startSecondsMatter() throws {
        let burst = Workload.burst(images: 300, imagesPerSecond: 87)
        let quick = try #require(Self.run(burst, pool: Self.pool(3, startSeconds: 10))[StandardComparison.warmPool(3)])
        let slow = try #require(Self.run(burst, pool: Self.pool(3, startSeconds: 40))[StandardComparison.warmPool(3)])
        #expect(try #require(slow.latencies.first) - #require(quick.latencies.first) >= 29)
    }
}
