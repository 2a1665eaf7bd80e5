/// The `slo` policy's arithmetic, a pure function: how many instances answer the backlog within
/// the drain target, given when each instance takes work and how fast one instance works.
///
/// Work model: an instance answers `imagesPerSecondPerInstance` once it is ready (a running one
/// now, a pending one `bootSeconds` after its launch, a new one `bootSeconds` from now). The fleet's
/// answered images by `t` seconds from now are the sum over instances of rate × (t - ready)⁺, and the
/// backlog is drained at the first `t` where that reaches the backlog plus the images arriving
/// meanwhile (`arrivalsPerSecond` × t). The fleet also keeps up with the arrivals whatever the
/// backlog.
///
/// - The fewest instances (existing ones first, soonest ready first) whose projected drain is
///   within the target.
/// - When even the maximum cannot meet it (a cold fleet: boot alone outlasts the target), the
///   fewest whose drain is within `unreachableSlackSeconds` of what the maximum would achieve:
///   the last few instances of a maximum fleet shorten a minute-long wait by fractions of a
///   second, for the same minute of billing each.
public struct DrainTargetPlan: Sendable, Equatable {
    /// The instance count the plan wants (clamped to min...max).
    public var desired: Int
    /// Seconds until the backlog is answered by the fleet as it is now; nil if it never is
    /// (no instances, or fewer than the arrivals need).
    public var projectedSeconds: Double?
    /// The same with `desired` instances.
    public var projectedSecondsWithDesired: Double?
    public var targetSeconds: Double
    /// Whether `desired` instances meet the target.
    public var meetsTarget: Bool

    /// A cold fleet's unmet target: instances that would improve the drain by less than this are
    /// not launched.
    public static let unreachableSlackSeconds = 1.0

    /// Arrivals keep instances but do not launch them: with nothing waiting, the arrival rate (a
    /// moving average) may be the tail of a burst, and its workers idle out if it is. A recent
    /// burst (`reserveBacklog`) also keeps, never launches, the instances that would answer one
    /// like it within the target: a boot takes longer than the target, so capacity released
    /// between recurring bursts is capacity missing at the next.
    ///
    /// - Parameters:
    ///   - backlog: images waiting plus in flight.
    ///   - readyInSeconds: for each live instance, seconds until it takes work (0 when running).
    ///   - reserveBacklog: the largest recent backlog (`DemandEstimate.recentPeakBacklog`).
    ///   - warmReadyInSeconds: for the first new instances, seconds until they take work when
    ///     they are stopped warm-pool members started instead of launched (the rest boot).
    public static func plan(
        backlog: Int, readyInSeconds: [Double], imagesPerSecondPerInstance: Double, arrivalsPerSecond: Double,
        bootSeconds: Double, targetSeconds: Double, minimum: Int, maximum: Int, reserveBacklog: Double = 0,
        warmReadyInSeconds: [Double] = []
    ) -> DrainTargetPlan {
        let rate = imagesPerSecondPerInstance.isFinite ? max(imagesPerSecondPerInstance, 1e-6) : 1e-6
        let arrivals = arrivalsPerSecond.isFinite ? max(arrivalsPerSecond, 0) : 0
        let boot = bootSeconds.isFinite ? max(bootSeconds, 0) : 0
        let maximum = max(maximum, 0)
        let minimum = min(max(minimum, 0), maximum)
        let existing = readyInSeconds.map { $0.isFinite ? max($0, 0) : boot }.sorted()
        let images = Double(max(backlog, 0))

        /// The first `count` instances: existing ones soonest first, then new ones (warm starts first).
        func fleet(_ count: Int) -> [Double] {
            Array(existing.prefix(count)) + newInstances(max(count - existing.count, 0), warm: warmReadyInSeconds, boot: boot)
        }
        func drain(_ count: Int) -> Double? {
            projectedDrainSeconds(backlog: images, readyInSeconds: fleet(count), rate: rate, arrivals: arrivals)
        }

        // Keeping up with arrivals, whatever the backlog; fewer than one image expected per target
        // window is no stream (the moving average of a past burst decays towards zero, never to it).
        var sustaining = arrivals * targetSeconds >= 1 ? Int((arrivals / rate).rounded(.up)) : 0
        if images == 0 { sustaining = min(sustaining, existing.count) }
        var reserve = 0
        if reserveBacklog.isFinite, reserveBacklog >= 1, !existing.isEmpty {
            reserve = (1...existing.count).first { count in
                projectedDrainSeconds(backlog: reserveBacklog, readyInSeconds: Array(existing.prefix(count)), rate: rate,
                                      arrivals: arrivals).map { $0 <= targetSeconds } ?? false
            } ?? existing.count
        }
        let floor = min(max(minimum, sustaining, reserve), maximum)
        var desired = floor
        var meets = false
        if images == 0 {
            meets = true
        } else if let found = (floor...max(floor, maximum)).first(where: { count in
            drain(count).map { $0 <= targetSeconds } ?? false
        }) {
            desired = found
            meets = true
        } else if let best = drain(maximum) {
            desired = (floor...max(floor, maximum)).first(where: { count in
                drain(count).map { $0 <= best + unreachableSlackSeconds } ?? false
            }) ?? maximum
        }
        return DrainTargetPlan(
            desired: desired,
            projectedSeconds: projectedDrainSeconds(backlog: images, readyInSeconds: existing, rate: rate, arrivals: arrivals),
            projectedSecondsWithDesired: drain(desired), targetSeconds: targetSeconds, meetsTarget: meets)
    }

    /// When `count` new instances take work: the warm starts first, then cold boots.
    public static func newInstances(_ count: Int, warm: [Double], boot: Double) -> [Double] {
        Array(warm.prefix(count)) + Array(repeating: boot, count: max(count - warm.count, 0))
    }

    /// The first `t` >= 0 at which instances ready at `readyInSeconds` (each answering `rate` per
    /// second from then on) have answered `backlog` images plus `arrivals` per second since; nil
    /// if they never do (no instances, or together not faster than the arrivals). The shortfall
    /// is piecewise linear in `t`: it grows at `arrivals` and shrinks by `rate` more at each ready time.
    public static func projectedDrainSeconds(backlog: Double, readyInSeconds: [Double], rate: Double,
                                             arrivals: Double = 0) -> Double? {
        guard backlog > 0 else { return 0 }
        let ready = readyInSeconds.sorted()
        guard !ready.isEmpty, rate > 0 else { return nil }
        var shortfall = backlog + arrivals * ready[0]
        var time = ready[0]
        for index in ready.indices {
            let net = rate * Double(index + 1) - arrivals
            let next = index + 1 < ready.count ? ready[index + 1] : Double.infinity
            if net > 0 {
                let finish = time + shortfall / net
                if finish <= next { return finish }
            }
            guard next.isFinite else { return nil }
            shortfall -= net * (next - time)
            time = next
        }
        return nil
    }
}
