import Foundation

extension Configuration {
    /// Rejects values that would make the system misbehave rather than fail loudly later
    /// (SQS refuses waits over 20 s; a max below the min would make the autoscaler oscillate).
    public func validate() throws(ConfigurationError) {
        func require(_ condition: Bool, _ keyPath: String, _ reason: String) throws(ConfigurationError) {
            if !condition { throw .outOfRange(keyPath: keyPath, reason: reason) }
        }
        try require((0...20).contains(queues.longPollSeconds), "queues.longPollSeconds", "SQS allows 0 to 20 seconds")
        try require((0...43_200).contains(queues.visibilityTimeoutSeconds), "queues.visibilityTimeoutSeconds",
                    "SQS allows 0 to 43200 seconds")
        try require((1...1000).contains(queues.maxReceiveCount), "queues.maxReceiveCount", "SQS allows 1 to 1000")
        try require((1...10).contains(worker.receiveBatchSize), "worker.receiveBatchSize", "SQS returns 1 to 10 messages")
        try require(worker.parallelism >= 1, "worker.parallelism", "at least 1")
        try require((1...64).contains(worker.maxInferenceBatch), "worker.maxInferenceBatch", "1 to 64")
        try require(worker.maxEmptyPollsBeforeShutdown >= 1, "worker.maxEmptyPollsBeforeShutdown", "at least 1")
        try require(scaling.minInstances >= 0, "scaling.minInstances", "cannot be negative")
        try require(scaling.maxInstances >= scaling.minInstances, "scaling.maxInstances",
                    "must be at least scaling.minInstances (\(scaling.minInstances))")
        try require(scaling.targetBacklogPerInstance >= 1, "scaling.targetBacklogPerInstance", "at least 1")
        try require(scaling.intervalSeconds > 0, "scaling.intervalSeconds", "must be positive")
        try require(scaling.maxLaunchesPerTick >= 1, "scaling.maxLaunchesPerTick", "at least 1")
        try require((1...65_535).contains(web.port) || web.port == 0, "web.port", "a TCP port (0 picks a free one)")
        try require(!web.allowedExtensions.isEmpty, "web.allowedExtensions", "at least one extension")
        try require(web.maxFileBytes > 0 && web.maxRequestBytes >= web.maxFileBytes, "web.maxRequestBytes",
                    "must be at least web.maxFileBytes")
        try require(web.maxFilesPerRequest >= 1, "web.maxFilesPerRequest", "at least 1")
        try require(web.intakeMemoryBytes >= 0, "web.intakeMemoryBytes", "at least 0 (0 spools every file past 64 KiB)")
        try require(web.maxConnections >= 1, "web.maxConnections", "at least 1")
        try require(web.maxConnectionsPerAddress >= 0, "web.maxConnectionsPerAddress", "at least 0 (0: no per-address cap)")
        try require(web.bodyReadGraceSeconds > 0, "web.bodyReadGraceSeconds", "must be positive")
        try require(web.bodyMinimumBytesPerSecond >= 1, "web.bodyMinimumBytesPerSecond", "at least 1")
        try require(model.cropSize > 0 && model.resizeShorterSide >= model.cropSize, "model.resizeShorterSide",
                    "must be at least model.cropSize")
        try require(model.mean.count == 3 && model.std.count == 3 && !model.std.contains(0), "model.std",
                    "three channels, no zero")
        try require(model.intraOpThreads >= 1, "model.intraOpThreads", "at least 1")
        if fleet.kind == .ec2 {
            try require(!fleet.ec2.imageId.isEmpty, "fleet.ec2.imageId", "the EC2 fleet needs an AMI id")
        }
    }
}
