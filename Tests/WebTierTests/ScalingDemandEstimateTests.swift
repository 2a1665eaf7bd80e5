import Foundation
import Testing
@testable import WebTier

/// What the `slo` policy learns from the results and the queue.
@Suite struct ScalingDemandEstimateTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Work waiting at both ends of the window: results per worker per second are its capacity.
    @Test func saturatedWindowMeasuresThroughputPerInstance() {
        var estimate = DemandEstimate()
        estimate.closeWindow(backlog: QueueBacklog(visible: 200, inFlight: 8), now: Self.start)
        for index in 0..<60 { estimate.recordResult(worker: index % 2 == 0 ? "i-a" : "i-b", inferenceMs: 10) }
        estimate.closeWindow(backlog: QueueBacklog(visible: 140, inFlight: 8), now: Self.start + 3)
        #expect(estimate.measuredImagesPerSecondPerInstance == 10)
        #expect(estimate.imagesPerSecondPerInstance(initial: 3) == 10)
        // A second window blends in with the smoothing weight.
        for _ in 0..<90 { estimate.recordResult(worker: "i-a", inferenceMs: 10) }
        estimate.closeWindow(backlog: QueueBacklog(visible: 50, inFlight: 8), now: Self.start + 6)
        #expect(abs((estimate.measuredImagesPerSecondPerInstance ?? 0) - (10 + DemandEstimate.smoothing * 20)) < 1e-9)
    }

    /// Nothing waiting: results per worker are the arrival rate, not capacity; nothing is learned.
    @Test func idleWindowTeachesNoThroughput() {
        var estimate = DemandEstimate()
        estimate.closeWindow(backlog: QueueBacklog(visible: 0, inFlight: 1), now: Self.start)
        for _ in 0..<6 { estimate.recordResult(worker: "i-a", inferenceMs: 10) }
        estimate.closeWindow(backlog: QueueBacklog(visible: 0, inFlight: 0), now: Self.start + 3)
        #expect(estimate.measuredImagesPerSecondPerInstance == nil)
        #expect(estimate.imagesPerSecondPerInstance(initial: 7) == 7)
    }

    /// One model run at a time per worker: 50 ms per image caps an instance at 20 images/s.
    @Test func inferenceTimeCapsTheEstimate() {
        var estimate = DemandEstimate()
        estimate.recordResult(worker: "i-a", inferenceMs: 40)
        estimate.recordResult(worker: "i-a", inferenceMs: 60)
        estimate.recordResult(worker: "i-a", inferenceMs: 0)  // a failure: answered, but no pace
        estimate.closeWindow(backlog: QueueBacklog(visible: 0, inFlight: 0), now: Self.start)
        #expect(estimate.inferenceMs == 50)
        #expect(estimate.imagesPerSecondPerInstance(initial: 100) == 20)
        #expect(estimate.imagesPerSecondPerInstance(initial: 5) == 5)
    }

    /// The largest backlog is remembered and fades with `burstMemorySeconds`.
    @Test func recentPeakFades() {
        var estimate = DemandEstimate()
        estimate.closeWindow(backlog: QueueBacklog(visible: 250, inFlight: 50), now: Self.start)
        #expect(estimate.recentPeakBacklog == 300)
        estimate.closeWindow(backlog: QueueBacklog(visible: 0, inFlight: 0), now: Self.start + DemandEstimate.burstMemorySeconds)
        #expect(abs(estimate.recentPeakBacklog - 300 * exp(-1)) < 1e-9)
        estimate.closeWindow(backlog: QueueBacklog(visible: 400, inFlight: 0), now: Self.start + DemandEstimate.burstMemorySeconds + 3)
        #expect(estimate.recentPeakBacklog == 400)
    }

    /// Arrivals = the backlog's growth + the images answered, folded in with a 60 s time constant.
    @Test func arrivalsAreGrowthPlusAnswered() {
        var estimate = DemandEstimate()
        estimate.closeWindow(backlog: QueueBacklog(visible: 10, inFlight: 0), now: Self.start)
        for _ in 0..<15 { estimate.recordResult(worker: "i-a", inferenceMs: 10) }
        estimate.closeWindow(backlog: QueueBacklog(visible: 20, inFlight: 5), now: Self.start + 3)
        let arrived = (25.0 - 10 + 15) / 3
        let weight = 1 - exp(-3 / DemandEstimate.arrivalsTimeConstantSeconds)
        #expect(abs(estimate.arrivalsPerSecond - weight * arrived) < 1e-9)
    }
}
