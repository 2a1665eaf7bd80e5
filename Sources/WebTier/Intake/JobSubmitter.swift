import Foundation
import Logging
import Pipeline

/// Turns a checked upload into a job: stores the images (in S3: a few at a time), each object
/// carrying what a rebuild needs (`StoredImageRecord`), registers the job, then queues one message
/// per stored image (the queue batches by ten). A job is never queued before its image is stored;
/// each image that could not be stored or queued is reported in `rejected` with why, and an image
/// stored but not queued is deleted again so that a rebuilt job does not wait for it.
public struct JobSubmitter: Sendable {
    /// Where the images go (S3 with CRC32 integrity in production: see `WebTierService`).
    public let store: any ObjectStore
    public let requests: any JobQueue
    public let inputBucket: String
    public let jobs: JobStore
    public let metrics: WebMetrics
    public let logger: Logger
    /// Images uploaded to S3 at once per request.
    public var uploadConcurrency = 8

    public init(store: any ObjectStore, requests: any JobQueue, inputBucket: String, jobs: JobStore,
                metrics: WebMetrics, logger: Logger) {
        self.store = store
        self.requests = requests
        self.inputBucket = inputBucket
        self.jobs = jobs
        self.metrics = metrics
        self.logger = logger
    }

    /// Called after the job is registered and before its messages are queued (the course route
    /// installs its waiters here).
    public typealias BeforeQueueing = @Sendable ([AcceptedImage]) -> Void

    public func submit(_ upload: ReceivedUpload, beforeQueueing: BeforeQueueing = { _ in }) async throws(IntakeError) -> JobAccepted {
        let jobId = ObjectNaming.newID()
        let submittedAt = APIJSON.milliseconds(Date())
        var rejected = upload.rejected
        let stored = await store(upload.candidates, jobId: jobId, submittedAt: submittedAt)
        var images: [(AcceptedImage, key: String)] = []
        for outcome in stored {
            switch outcome {
            case let .stored(image, key): images.append((image, key))
            case let .failed(index, name, reason): rejected.append(RejectedFile(index: index, fileName: name, reason: reason))
            }
        }
        images.sort { $0.0.index < $1.0.index }
        if images.isEmpty {
            jobs.register(jobId: jobId, submittedAt: submittedAt, images: [])
            recordOutcome(accepted: [], rejected: rejected, upload: upload)
            return JobAccepted(jobId: jobId, images: [], rejected: rejected.sorted { $0.index < $1.index })
        }
        var accepted = images.map(\.0)
        jobs.register(jobId: jobId, submittedAt: submittedAt, images: accepted)
        beforeQueueing(accepted)

        let bodies = images.map { image, key in
            MessageCodec.encode(JobMessage(jobId: jobId, imageId: image.imageId, bucket: inputBucket, key: key,
                                           fileName: image.fileName, submittedAt: submittedAt))
        }
        var unqueued: [Int: String] = [:]
        do {
            for failure in try await requests.send(bodies) where accepted.indices.contains(failure.index) {
                unqueued[failure.index] = "\(failure.code): \(failure.message)"
            }
        } catch {
            // The queue could not say which messages went out (the single-message send failed;
            // batches report their own entries above). Report them all; a copy that did go out
            // finds its object deleted below, and its `error` result is not one of the job's.
            for index in accepted.indices { unqueued[index] = "\(error)" }
        }
        if !unqueued.isEmpty {
            logger.error("jobs not queued", metadata: ["job": "\(jobId)", "count": "\(unqueued.count)"])
            for (position, reason) in unqueued {
                let image = accepted[position]
                rejected.append(RejectedFile(index: image.index, fileName: image.fileName,
                                             reason: "the image was stored but could not be queued: \(reason)"))
            }
            accepted = accepted.enumerated().filter { unqueued[$0.offset] == nil }.map(\.element)
            jobs.register(jobId: jobId, submittedAt: submittedAt, images: accepted)
            await deleteUnqueued(unqueued.keys.sorted().map { images[$0].key }, jobId: jobId)
            metrics.update { $0.storageFailures += unqueued.count }
        }
        recordOutcome(accepted: accepted, rejected: rejected, upload: upload)
        return JobAccepted(jobId: jobId, images: accepted, rejected: rejected.sorted { $0.index < $1.index })
    }

    private func recordOutcome(accepted: [AcceptedImage], rejected: [RejectedFile], upload: ReceivedUpload) {
        let acceptedIndices = Set(accepted.map(\.index))
        let bytes = upload.candidates.filter { acceptedIndices.contains($0.index) }.reduce(0) { $0 + $1.part.size }
        metrics.update {
            $0.imagesAccepted += accepted.count
            $0.bytesAccepted += bytes
            $0.filesRejected += upload.rejected.count
        }
    }

    enum StoreOutcome: Sendable {
        case stored(AcceptedImage, key: String)
        case failed(index: Int, fileName: String, reason: String)
    }

    /// The stored objects of images that were not queued: a rebuild after a restart would list
    /// them as pending forever. Best effort: one that stays is only shown as pending.
    private func deleteUnqueued(_ keys: [String], jobId: String) async {
        for key in keys {
            do {
                try await store.delete(bucket: inputBucket, key: key)
            } catch {
                logger.warning("unqueued image not deleted", metadata: ["job": "\(jobId)", "key": "\(key)", "error": "\(error)"])
            }
        }
    }

    /// Uploads with at most `uploadConcurrency` in flight. Spooled parts stream from their file.
    private func store(_ candidates: [ReceivedUpload.Candidate], jobId: String, submittedAt: Int64) async -> [StoreOutcome] {
        await withTaskGroup(of: StoreOutcome.self) { group in
            var pending = candidates[...]
            var outcomes: [StoreOutcome] = []
            func addNext() {
                guard let candidate = pending.popFirst() else { return }
                group.addTask { await self.store(candidate, jobId: jobId, submittedAt: submittedAt) }
            }
            for _ in 0..<max(uploadConcurrency, 1) { addNext() }
            while let outcome = await group.next() {
                outcomes.append(outcome)
                addNext()
            }
            return outcomes
        }
    }

    private func store(_ candidate: ReceivedUpload.Candidate, jobId: String, submittedAt: Int64) async -> StoreOutcome {
        let imageId = ObjectNaming.newID()
        let key = ObjectNaming.inputKey(jobId: jobId, imageId: imageId, safeFileName: candidate.safeName)
        let metadata = StoredImageRecord.metadata(index: candidate.index, submittedAt: submittedAt)
        do {
            switch candidate.part.storage {
            case let .memory(bytes):
                try await store.put(bucket: inputBucket, key: key, bytes: bytes, contentType: candidate.signature.contentType,
                                    metadata: metadata)
            case let .file(path):
                try await store.put(bucket: inputBucket, key: key, contentsOf: URL(fileURLWithPath: path),
                                    contentType: candidate.signature.contentType, metadata: metadata)
            }
        } catch {
            logger.warning("image not stored", metadata: ["job": "\(jobId)", "key": "\(key)", "error": "\(error)"])
            metrics.update { $0.storageFailures += 1 }
            return .failed(index: candidate.index, fileName: ReceivedUpload.displayName(candidate.clientName),
                           reason: "the image could not be stored: \(error)")
        }
        return .stored(AcceptedImage(index: candidate.index, imageId: imageId, fileName: candidate.safeName), key: key)
    }
}
