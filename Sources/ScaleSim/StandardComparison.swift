import Pipeline
import WebTier

/// The standard comparison: three policies on three workloads, built the same way for
/// the `scalesim` command and the tests.
public enum StandardComparison {
    public static let originalDesign = "original design"
    public static let targetTracking = "AWS target tracking"
    public static let drainTarget = "ours (slo)"
    /// Ours with a warm pool of `size` stopped members.
    public static func warmPool(_ size: Int) -> String { "ours + warm pool \(size)" }

    /// - The original design: the `backlog` rule at its defaults (one instance per image up to
    ///   19, launched on upload) and workers that idle out after X empty polls.
    /// - AWS's target tracking on backlog per instance, with the recipe's target: acceptable
    ///   latency (`drainTargetSeconds`) / seconds per message per instance.
    /// - Ours: the `slo` rule with the same target.
    /// - With `warmPool.size` above 0, ours again with that warm pool.
    public static func strategies(
        configuration: Configuration = Configuration(), parameters: SimulationParameters, drainTargetSeconds: Double,
        warmPool: WarmPoolSettings = WarmPoolSettings()
    ) -> [any ScalingStrategy] {
        var original = configuration.scaling
        original.policy = .backlog
        var ours = configuration.scaling
        ours.policy = .slo
        ours.drainTargetSeconds = drainTargetSeconds
        ours.bootSeconds = parameters.bootSeconds
        ours.billingMinimumSeconds = parameters.billingMinimumSeconds
        // Both our policy and the AWS recipe start from the instance's measured throughput (the
        // recipe needs it for its target; ours then keeps learning it from the results).
        let perInstance = parameters.serviceTimes.capacityPerInstance(parallelism: parameters.parallelism)
        ours.initialImagesPerSecondPerInstance = perInstance
        var pooled = ours
        pooled.warmPool = warmPool
        return [
            ControllerStrategy(name: originalDesign, settings: original),
            TargetTrackingStrategy(name: targetTracking, targetBacklogPerInstance: drainTargetSeconds * perInstance,
                                   warmupSeconds: parameters.bootSeconds, maxInstances: original.maxInstances),
            ControllerStrategy(name: drainTarget, settings: ours),
        ] + (warmPool.size > 0 ? [ControllerStrategy(name: Self.warmPool(warmPool.size), settings: pooled)] : [])
    }

    /// The standard workloads; `scale` shrinks them (image counts and durations) for quick runs.
    public static func workloads(scale: Double = 1) -> [Workload] {
        let scale = min(max(scale, 0.01), 1)
        return [
            .burst(images: Int((1000 * scale).rounded()), imagesPerSecond: 87),
            .streamWithBursts(imagesPerSecond: 10, seconds: 1200 * scale, burstImages: Int((500 * scale).rounded()),
                              burstEverySeconds: 240 * scale, burstImagesPerSecond: 87),
            .diurnal(seconds: 1440 * scale, nightImagesPerSecond: 0.2, peakImagesPerSecond: 100),
        ]
    }
}
