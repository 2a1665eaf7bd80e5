import Foundation
import Pipeline

public enum JobArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An object under a job's input prefix that intake did not write (or whose metadata was lost).
    case unreadableImageRecord(key: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadableImageRecord(key, reason):
            return "input object '\(key)' does not describe a job image (\(reason)); was it written by another tool?"
        }
    }
}

/// Jobs as the object store (S3) keeps them: the input objects intake stored (each carrying its `StoredImageRecord`
/// metadata) and the result objects the workers wrote (`results/<jobId>/<imageId>.json` in the
/// output bucket).
public struct JobArchive: Sendable {
    public let store: any ObjectStore
    public let inputBucket: String
    public let outputBucket: String
    /// Objects read at once during a rebuild.
    public var fetchConcurrency = 8
    /// A stored result larger than this is not one a worker wrote (results are a few hundred
    /// bytes); it is skipped like any unreadable result.
    static let maxResultBytes = 1 << 20

    public init(store: any ObjectStore, inputBucket: String, outputBucket: String) {
        self.store = store
        self.inputBucket = inputBucket
        self.outputBucket = outputBucket
    }

    /// The job rebuilt from S3, or nil when no image of it is stored. Costs one listing and one
    /// HeadObject per image plus one GetObject per result: a rare path (after a restart, or for
    /// a job the store has forgotten), traded for one request less per job at intake.
    public func rebuild(jobId: String) async throws -> JobStatus? {
        let stored = try await store.listObjects(bucket: inputBucket, prefix: ObjectNaming.inputPrefix(jobId: jobId))
        let records = try await concurrently(stored) { summary in try await self.record(summary.key, jobId: jobId) }
        guard let submittedAt = records.map(\.submittedAt).min() else { return nil }
        let images = records.map(\.image).sorted { $0.index < $1.index }
        let summaries = try await store.listObjects(bucket: outputBucket, prefix: ObjectNaming.resultPrefix(jobId: jobId))
            .filter { $0.key.hasSuffix(".json") }
        var results = try await concurrently(summaries) { summary in try await self.result(summary, submittedAt: submittedAt) }
        results.sort { ($0.completedAt, $0.imageId) < ($1.completedAt, $1.imageId) }
        return JobStatus(jobId: jobId, submittedAt: submittedAt, images: images, results: results)
    }

    /// One image's record from its object's metadata; nil when the object went away meanwhile
    /// (intake deletes the images it could not queue).
    private func record(_ key: String, jobId: String) async throws -> StoredImageRecord? {
        let attributes: StoredObjectInfo
        do {
            attributes = try await store.head(bucket: inputBucket, key: key)
        } catch ObjectStoreError.notFound {
            return nil
        }
        return try StoredImageRecord.parse(key: key, jobId: jobId, metadata: attributes.metadata)
    }

    /// One stored result; an unreadable object is skipped (the image stays pending) rather than
    /// failing the whole job.
    private func result(_ summary: StoredObjectInfo, submittedAt: Int64) async throws -> ImageResult? {
        let body: Data
        do {
            body = try await store.get(bucket: outputBucket, key: summary.key, maxBytes: Self.maxResultBytes)
        } catch ObjectStoreError.notFound {
            return nil
        } catch ObjectStoreError.tooLarge {
            return nil
        }
        guard let message = try? MessageCodec.decodeResult(String(decoding: body, as: UTF8.self)) else { return nil }
        let completed = summary.lastModified.map(APIJSON.milliseconds) ?? submittedAt
        return ImageResult(message, submittedAt: submittedAt, completedAt: completed)
    }

    /// `fetch` over `items` with at most `fetchConcurrency` in flight; the non-nil answers, in no
    /// particular order.
    private func concurrently<Item: Sendable, Answer: Sendable>(
        _ items: [Item], _ fetch: @escaping @Sendable (Item) async throws -> Answer?
    ) async throws -> [Answer] {
        try await withThrowingTaskGroup(of: Answer?.self) { group in
            var pending = items[...]
            var answers: [Answer] = []
            func addNext() {
                guard let item = pending.popFirst() else { return }
                group.addTask { try await fetch(item) }
            }
            for _ in 0..<max(fetchConcurrency, 1) { addNext() }
            while let answer = try await group.next() {
                if let answer { answers.append(answer) }
                addNext()
            }
            return answers
        }
    }
}
