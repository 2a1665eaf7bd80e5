/// How long one image keeps a simulated worker busy.
///
/// A job is: download the image and receive bookkeeping (half of `networkSeconds`), decode +
/// preprocess + inference (one at a time per instance, like the worker's single model session),
/// then upload the result, send the result message and delete the job (the other half). The
/// network part runs in parallel up to `worker.parallelism` jobs; it is a parameter because on a
/// real EC2 worker S3 and SQS round trips, not the model, dominate a job.
public struct ServiceTimes: Sendable, Equatable {
    /// Milliseconds of the serial (model) stage, one value per measured photo; a job draws one.
    public var classifyMilliseconds: [Double]
    /// S3 and SQS round trips per job, in seconds.
    public var networkSeconds: Double

    public init(classifyMilliseconds: [Double] = ServiceTimes.measuredClassifyMilliseconds, networkSeconds: Double = 0.1) {
        self.classifyMilliseconds = classifyMilliseconds.isEmpty ? [1] : classifyMilliseconds
        self.networkSeconds = max(networkSeconds, 0)
    }

    /// `classify` (release build, `--threads 1`, EfficientNet-Lite0 fp32) on the 16 distinct photos
    /// of testdata/photos and /work/shared/photos, measured 2026-12-04 on the 2-core development
    /// machine: CPU milliseconds per image (decode + preprocess + inference), taken as
    /// (CPU time of 21 copies − CPU time of 1 copy) / 20 so that process start-up and model load
    /// drop out. CPU time rather than wall time because the shared machine's load average was ~20
    /// during the measurement (wall times were 3-5x these). Mean 17.4 ms; README's VisionBench
    /// stage figures give 16.9 ms.
    public static let measuredClassifyMilliseconds: [Double] = [
        14.5, 15.5, 20.0, 15.0, 31.5, 14.5, 12.5, 14.0, 12.5, 15.0, 23.5, 15.0, 17.0, 17.5, 20.0, 20.0,
    ]

    public func classifySeconds(using random: inout some RandomNumberGenerator) -> Double {
        classifyMilliseconds[Int.random(in: classifyMilliseconds.indices, using: &random)] / 1000
    }

    /// Images per second one instance can answer with `parallelism` jobs at once: limited by the
    /// serial model stage or by the jobs held at once, whichever binds.
    public func capacityPerInstance(parallelism: Int) -> Double {
        let classify = classifyMilliseconds.reduce(0, +) / Double(classifyMilliseconds.count) / 1000
        return min(1 / classify, Double(max(parallelism, 1)) / (classify + networkSeconds))
    }
}
