import Foundation
import Logging
import Pipeline

/// Takes one received message to its end: exactly one stored result and a deleted message, or the
/// message left on the queue for redelivery. The order is what makes a crash lose nothing: the job
/// is deleted only after its result is stored in S3 and sent to the response queue, and storing
/// the same result twice overwrites the same keys.
struct JobProcessor: Sendable {
    let requests: any JobQueue
    let responses: any JobQueue
    let store: any ObjectStore
    let batcher: OpportunisticBatcher
    let options: WorkerOptions
    let stats: WorkerStats
    let logger: Logger

    /// How `process` ended.
    enum Outcome: Sendable {
        /// The job is finished, released or left for redelivery; its slot is free.
        case finished
        /// The job ran past `jobDeadline`: its message was released, but `work` (a decode or model
        /// run stuck in C, which no cancellation reaches) still occupies a thread until it returns.
        case abandoned(work: Task<ResultMessage, any Error>)
    }

    @discardableResult
    func process(_ message: QueuedMessage) async -> Outcome {
        let started = ContinuousClock.now
        let job: JobMessage
        do {
            job = try MessageCodec.decodeJob(message.body)
        } catch {
            // Not ours to guess at: after maxReceiveCount receives SQS moves it to the dead-letter queue.
            leaveForDeadLetterQueue(message, reason: "\(error)")
            await stats.recordMalformed()
            return .finished
        }
        var jobLogger = logger
        jobLogger[metadataKey: "imageId"] = "\(job.imageId)"
        jobLogger[metadataKey: "jobId"] = "\(job.jobId)"
        switch JobScope(inputBucket: options.inputBucket).check(job) {
        case .inScope:
            break
        case let .unaddressable(reason):
            leaveForDeadLetterQueue(message, reason: reason)
            await stats.recordMalformed()
            return .finished
        case let .outOfScope(reason):
            // Deleted after an error result rather than dead-lettered: the verdict cannot change
            // on a retry, and the result tells whoever waits for this image at once. The error
            // log is the security trail.
            jobLogger.error("job outside the input bucket and prefix refused", metadata: [
                "bucket": "\(job.bucket)", "key": "\(job.key)", "messageId": "\(message.messageId)",
            ])
            let refusal = ResultMessage.failure(for: job, reason: reason, model: batcher.modelName, worker: options.workerName)
            do {
                try await storeAndAnnounce(refusal, for: job, writeObjectsAtJobKey: false)
                try await requests.delete(message)
                await stats.recordCompleted(rejected: true, latencyMs: (ContinuousClock.now - started).milliseconds)
            } catch {
                await stats.recordTransientFailure()
                jobLogger.warning("could not answer a refused job; it comes back", metadata: ["reason": "\(error)"])
            }
            return .finished
        }

        let heartbeat = startHeartbeat(for: message, logger: jobLogger)
        defer { heartbeat.cancel() }
        // Unstructured, so a drain or the job deadline can abandon a job stuck in the model.
        let work = Task { try await classify(job) }
        do {
            guard let result = try await valueUnlessCancelled(of: work, within: options.jobDeadline) else {
                heartbeat.cancel()
                await stats.recordAbandoned()
                await Task { await release(message, logger: jobLogger, reason: "job deadline passed") }.value
                jobLogger.error("job abandoned after the job deadline; its message is released for a retry (the dead-letter queue after queues.maxReceiveCount receives)", metadata: [
                    "deadlineSeconds": "\(options.jobDeadline.components.seconds)",
                    "receiveCount": "\(message.receiveCount)",
                ])
                return .abandoned(work: work)
            }
            try Task.checkCancellation()
            try await storeAndAnnounce(result, for: job)
            try await requests.delete(message)
            let latencyMs = (ContinuousClock.now - started).milliseconds
            await stats.recordCompleted(rejected: result.error != nil, latencyMs: latencyMs)
            jobLogger.info("job done", metadata: [
                "label": "\(result.label ?? "-")", "error": "\(result.error ?? "-")",
                "ms": "\(Int(latencyMs))",
            ])
        } catch where Task.isCancelled {
            // Cancelled by the drain deadline (the error may be the transport's own "aborted").
            // The release runs as its own task: in this cancelled one the request would abort.
            await Task { await release(message, logger: jobLogger, reason: "worker is shutting down") }.value
        } catch {
            await stats.recordTransientFailure()
            // Leave the job for redelivery, a little later each time so a short outage does not use
            // up the receives that lead to the dead-letter queue.
            let delay = min(options.visibilityTimeoutSeconds, 1 << min(message.receiveCount + 1, 6))
            jobLogger.warning("transient failure, job left for redelivery", metadata: [
                "reason": "\(error)", "retryInSeconds": "\(delay)",
            ])
            try? await requests.changeVisibility(of: message, seconds: delay)
        }
        return .finished
    }

    private func leaveForDeadLetterQueue(_ message: QueuedMessage, reason: String) {
        logger.error("malformed job message left for the dead-letter queue", metadata: [
            "messageId": "\(message.messageId)", "receiveCount": "\(message.receiveCount)", "reason": "\(reason)",
        ])
    }

    /// Downloads and classifies; every failure that is a property of the image (or of its
    /// object: missing, too large) becomes an `error` result. Other storage failures are thrown:
    /// they mean "try again later".
    private func classify(_ job: JobMessage) async throws -> ResultMessage {
        let bytes: Data
        do {
            bytes = try await store.get(bucket: job.bucket, key: job.key, maxBytes: options.maxImageBytes)
        } catch let error as ObjectStoreError {
            return .failure(for: job, reason: error.description, model: batcher.modelName, worker: options.workerName)
        }
        switch await batcher.classify(bytes) {
        case let .success(classified):
            return ResultMessage(
                jobId: job.jobId, imageId: job.imageId, fileName: job.fileName,
                label: classified.predictions.first?.label, top5: Array(classified.predictions.prefix(5)),
                model: batcher.modelName, worker: options.workerName, inferenceMs: classified.inferenceMs)
        case let .failure(rejection):
            return .failure(for: job, reason: rejection.reason, model: batcher.modelName, worker: options.workerName)
        }
    }

    /// Stores the result (the audit object at the job's key, the course object when asked for,
    /// the JSON) and sends it. `writeObjectsAtJobKey` false skips the objects named after the
    /// job's key and file name: for a refused job those names are the sender's, not ours.
    private func storeAndAnnounce(_ result: ResultMessage, for job: JobMessage, writeObjectsAtJobKey: Bool = true)
        async throws {
        let metadata = ["image-id": job.imageId, "job-id": job.jobId, "worker": options.workerName]
        let json = MessageCodec.encode(result)  // once: the stored copy and the message are the same text
        if writeObjectsAtJobKey {
            try await store.put(bucket: options.outputBucket, key: job.key, body: Data(result.auditBody.utf8),
                                contentType: "text/plain; charset=utf-8", metadata: metadata)
            if options.courseOutput, let course = CourseOutput(result) {
                try await store.put(bucket: options.outputBucket, key: course.key, body: Data(course.body.utf8),
                                    contentType: "text/plain; charset=utf-8", metadata: metadata)
            }
        }
        try await store.put(bucket: options.outputBucket,
                            key: ObjectNaming.resultKey(jobId: job.jobId, imageId: job.imageId),
                            body: Data(json.utf8), contentType: "application/json", metadata: metadata)
        let refused = try await responses.send([json])
        if let failure = refused.first {
            throw TransientJobError(reason: "response queue refused the result: \(failure.code) \(failure.message)")
        }
    }

    private func startHeartbeat(for message: QueuedMessage, logger: Logger) -> Task<Void, Never> {
        let interval = options.heartbeatInterval
        let seconds = options.visibilityTimeoutSeconds
        return Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                do {
                    try await requests.changeVisibility(of: message, seconds: seconds)
                    await stats.recordHeartbeat()
                } catch {
                    logger.warning("visibility heartbeat failed", metadata: ["reason": "\(error)"])
                }
            }
        }
    }

    /// Hands a job back to the queue at once, for another worker to take.
    func release(_ message: QueuedMessage, logger: Logger, reason: String) async {
        do {
            try await requests.changeVisibility(of: message, seconds: 0)
            logger.info("job released to the queue", metadata: ["reason": "\(reason)"])
        } catch {
            logger.warning("could not release job; it returns after its visibility timeout",
                           metadata: ["reason": "\(error)"])
        }
    }
}

/// A failure that another attempt may not have (network, throttling, a 5xx).
struct TransientJobError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
