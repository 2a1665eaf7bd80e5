/// The configuration overrides every test deployment on the shared moto starts from: its own
/// queues and buckets (unique names, since tests run in parallel against one moto) and the fast
/// settings tests want (one-second long polls, no periodic stats, one model thread). Harnesses
/// merge their own settings over these.
public enum MotoDeploymentOverrides {
    /// Overrides for a deployment whose resource names start with `MotoNames.unique(prefix)`;
    /// returns the unique stem too (for fleet tags and the like).
    public static func isolated(_ prefix: String) -> (stem: String, overrides: [String: String]) {
        let stem = MotoNames.unique(prefix)
        return (stem, [
            "queues.requestQueue": "\(stem)-req", "queues.responseQueue": "\(stem)-resp",
            "queues.deadLetterQueue": "\(stem)-dlq", "storage.inputBucket": "\(stem)-in",
            "storage.outputBucket": "\(stem)-out", "queues.longPollSeconds": "1",
            "worker.statsIntervalSeconds": "0", "model.intraOpThreads": "1",
        ])
    }
}
