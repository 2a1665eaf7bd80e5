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
        try require(worker.jobDeadlineSeconds >= 1, "worker.jobDeadlineSeconds", "at least 1")
        try require(worker.heartbeatSeconds >= 0, "worker.heartbeatSeconds", "at least 0 (0 sends none)")
        try require(worker.drainSeconds >= 0, "worker.drainSeconds", "at least 0")
        if scaling.heartbeatGraceSeconds > 0 {
            // Two lost heartbeats in a row must not look like a dead worker.
            try require(worker.heartbeatSeconds > 0 && scaling.heartbeatGraceSeconds >= Double(3 * worker.heartbeatSeconds),
                        "scaling.heartbeatGraceSeconds",
                        "must be at least 3 x worker.heartbeatSeconds (\(worker.heartbeatSeconds)), or 0 to turn the rule off")
        }
        try require(worker.maxEmptyPollsBeforeShutdown >= 1, "worker.maxEmptyPollsBeforeShutdown", "at least 1")
        try require(scaling.minInstances >= 0, "scaling.minInstances", "cannot be negative")
        try require(scaling.maxInstances >= scaling.minInstances, "scaling.maxInstances",
                    "must be at least scaling.minInstances (\(scaling.minInstances))")
        try require(scaling.targetBacklogPerInstance >= 1, "scaling.targetBacklogPerInstance", "at least 1")
        try require(scaling.intervalSeconds > 0, "scaling.intervalSeconds", "must be positive")
        try require(scaling.maxLaunchesPerTick >= 1, "scaling.maxLaunchesPerTick", "at least 1")
        try require(scaling.drainTargetSeconds > 0, "scaling.drainTargetSeconds", "must be positive")
        try require(scaling.bootSeconds >= 0, "scaling.bootSeconds", "cannot be negative")
        try require(scaling.initialImagesPerSecondPerInstance > 0, "scaling.initialImagesPerSecondPerInstance",
                    "must be positive")
        try require(scaling.scaleInDelaySeconds >= 0, "scaling.scaleInDelaySeconds", "cannot be negative")
        try require(scaling.billingMinimumSeconds >= 0, "scaling.billingMinimumSeconds", "cannot be negative")
        try scaling.warmPool.validate()
        try require(scaling.warmPool.size <= scaling.maxInstances, "scaling.warmPool.size",
                    "at most scaling.maxInstances (\(scaling.maxInstances)): a member beyond it could never be started")
        try require((1...65_535).contains(web.port) || web.port == 0, "web.port", "a TCP port (0 picks a free one)")
        try require(!web.allowedExtensions.isEmpty, "web.allowedExtensions", "at least one extension")
        try require(web.maxFileBytes > 0 && web.maxRequestBytes >= web.maxFileBytes, "web.maxRequestBytes",
                    "must be at least web.maxFileBytes")
        try require(web.maxFilesPerRequest >= 1, "web.maxFilesPerRequest", "at least 1")
        try require(web.intakeMemoryBytes >= 0, "web.intakeMemoryBytes", "at least 0 (0 spools every file)")
        try require(web.jobListLimit >= 1, "web.jobListLimit", "at least 1")
        try require(web.spoolDiskBytes >= 0, "web.spoolDiskBytes", "at least 0 (0 refuses any upload memory cannot hold)")
        try require(web.queueDepthCacheSeconds >= 0, "web.queueDepthCacheSeconds", "at least 0")
        try require(web.unknownJobCacheSeconds >= 0, "web.unknownJobCacheSeconds", "at least 0")
        try require(web.jobRebuildsPerSecond > 0 && web.jobRebuildBurst >= 1, "web.jobRebuildsPerSecond",
                    "a positive rate with web.jobRebuildBurst at least 1")
        try require(web.maxConnections >= 1, "web.maxConnections", "at least 1")
        try require(web.maxConnectionsPerAddress >= 0, "web.maxConnectionsPerAddress", "at least 0 (0: no per-address cap)")
        try require(web.bodyReadGraceSeconds > 0, "web.bodyReadGraceSeconds", "must be positive")
        try require(web.bodyMinimumBytesPerSecond >= 1, "web.bodyMinimumBytesPerSecond", "at least 1")
        try require(model.cropSize > 0 && model.resizeShorterSide >= model.cropSize, "model.resizeShorterSide",
                    "must be at least model.cropSize")
        try require(model.mean.count == 3 && model.std.count == 3 && !model.std.contains(0), "model.std",
                    "three channels, no zero")
        try require(aws.localServer.startTimeoutSeconds > 0, "aws.localServer.startTimeoutSeconds", "must be positive")
        try require(aws.localServer.stopGraceSeconds > 0, "aws.localServer.stopGraceSeconds", "must be positive")
        try require(model.intraOpThreads >= 1, "model.intraOpThreads", "at least 1")
        if fleet.kind == .ec2 {
            try require(!fleet.ec2.imageId.isEmpty, "fleet.ec2.imageId", "the EC2 fleet needs an AMI id")
        }
    }
}
