import Testing
import TestSupport
@testable import ScaleSim

/// The workloads' arrival times.
@Suite struct WorkloadTests {
    @Test func burstArrivesAtTheIntakeRate() {
        var random = SeededGenerator(seed: 1)
        let times = Workload.burst(images: 100, imagesPerSecond: 50).arrivals(using: &random)
        #expect(times.count == 100)
        #expect(times.first == 0)
        #expect(abs((times.last ?? 0) - 99.0 / 50) < 1e-9)
    }
}

extension WorkloadTests {
    @Test func streamHasItsRateAndBursts() {
        var random = SeededGenerator(seed: 3)
        let times = Workload.streamWithBursts(imagesPerSecond: 10, seconds: 600, burstImages: 200, burstEverySeconds: 120,
                                              burstImagesPerSecond: 100).arrivals(using: &random)
        // 5 bursts (at 60, 180, ..., 540) and a Poisson stream of about 6000.
        #expect(abs(times.count - (6000 + 1000)) < 300)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(times.allSatisfy { $0 >= 0 && $0 < 600 })
    }

    @Test func diurnalPeaksAtNoon() {
        var random = SeededGenerator(seed: 4)
        let times = Workload.diurnal(seconds: 1000, nightImagesPerSecond: 1, peakImagesPerSecond: 50).arrivals(using: &random)
        let night = times.filter { $0 < 100 || $0 >= 900 }.count
        let noon = times.filter { $0 >= 450 && $0 < 550 }.count
        #expect(noon > 10 * night / 2)
        // The mean rate is (1 + 50) / 2 per second.
        #expect(abs(Double(times.count) - 25_500) < 800)
    }
}
