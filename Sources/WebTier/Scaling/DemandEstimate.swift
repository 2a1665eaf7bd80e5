import Foundation

/// What the `slo` policy learns online: images per second one instance answers, and images per
/// second arriving. Fed by the results (`worker`, `inferenceMs`) between ticks and closed at each
/// tick with the queue's depth; a value type, so the simulator and the tests drive it exactly as
/// the controller does.
///
/// - Per-instance throughput is measured only over windows in which work was waiting at both ends
///   (visible > 0): then every worker was busy and results per worker per second are its capacity,
///   not the arrival rate. It is also capped by the model's own pace, 1000 / mean `inferenceMs`
///   (a worker runs one model at a time), so a worker that was never saturated is not assumed
///   faster than its model.
/// - Arrivals are the backlog's growth plus the results answered over the window.
public struct DemandEstimate: Sendable, Equatable {
    /// Weight of the newest window in the throughput and inference-time averages.
    public static let smoothing = 0.3
    /// The arrival rate's time constant: a burst uploaded in ten seconds is a burst, not a new
    /// stream to plan the next minutes for; a day's ramp over minutes is followed.
    public static let arrivalsTimeConstantSeconds = 60.0
    /// How long a burst is remembered (the peak's time constant).
    public static let burstMemorySeconds = 600.0

    /// Learned images per second per busy instance; nil until a saturated window was seen.
    public private(set) var measuredImagesPerSecondPerInstance: Double?
    /// Moving average of the model's milliseconds per image; nil before any result.
    public private(set) var inferenceMs: Double?
    /// Moving average of arriving images per second.
    public private(set) var arrivalsPerSecond = 0.0
    /// The largest recent backlog, fading with `burstMemorySeconds`: bursts recur, so the policy
    /// keeps (never launches) enough instances to answer one like it within the target.
    public private(set) var recentPeakBacklog = 0.0

    var windowResults = 0
    var windowWorkers: Set<String> = []
    var windowInferenceMs = 0.0
    var windowInferenceCount = 0
    var lastTick: (at: Date, backlog: QueueBacklog)?

    public init() {}

    /// One answered image (failures, with no inference time, count as answered but not as pace).
    public mutating func recordResult(worker: String, inferenceMs: Double) {
        windowResults += 1
        windowWorkers.insert(worker)
        if inferenceMs > 0, inferenceMs.isFinite {
            windowInferenceMs += inferenceMs
            windowInferenceCount += 1
        }
    }

    /// Closes the window at a tick.
    public mutating func closeWindow(backlog: QueueBacklog, now: Date) {
        defer {
            lastTick = (now, backlog)
            windowResults = 0
            windowWorkers = []
            windowInferenceMs = 0
            windowInferenceCount = 0
        }
        if windowInferenceCount > 0 {
            inferenceMs = Self.blend(inferenceMs, windowInferenceMs / Double(windowInferenceCount))
        }
        guard let last = lastTick else {
            recentPeakBacklog = Double(backlog.total)
            return
        }
        let seconds = now.timeIntervalSince(last.at)
        guard seconds > 0 else { return }
        recentPeakBacklog = max(Double(backlog.total), recentPeakBacklog * exp(-seconds / Self.burstMemorySeconds))
        let grown = Double(backlog.total) - Double(last.backlog.total)
        let arrived = max(grown + Double(windowResults), 0) / seconds
        arrivalsPerSecond += (1 - exp(-seconds / Self.arrivalsTimeConstantSeconds)) * (arrived - arrivalsPerSecond)
        if last.backlog.visible > 0, backlog.visible > 0, !windowWorkers.isEmpty, windowResults > 0 {
            let perInstance = Double(windowResults) / Double(windowWorkers.count) / seconds
            measuredImagesPerSecondPerInstance = Self.blend(measuredImagesPerSecondPerInstance, perInstance)
        }
    }

    /// The throughput to plan with: measured, else `initial`, and never above the model's pace.
    public func imagesPerSecondPerInstance(initial: Double) -> Double {
        let estimate = measuredImagesPerSecondPerInstance ?? initial
        guard let inferenceMs, inferenceMs > 0 else { return estimate }
        return min(estimate, 1000 / inferenceMs)
    }

    static func blend(_ old: Double?, _ new: Double) -> Double? {
        guard let old else { return new }
        return old + smoothing * (new - old)
    }

    public static func == (left: DemandEstimate, right: DemandEstimate) -> Bool {
        left.measuredImagesPerSecondPerInstance == right.measuredImagesPerSecondPerInstance
            && left.inferenceMs == right.inferenceMs && left.arrivalsPerSecond == right.arrivalsPerSecond
            && left.windowResults == right.windowResults && left.windowWorkers == right.windowWorkers
            && left.recentPeakBacklog == right.recentPeakBacklog
            && left.lastTick?.at == right.lastTick?.at && left.lastTick?.backlog == right.lastTick?.backlog
    }
}
