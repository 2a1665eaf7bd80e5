import AWS
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

/// Jobs as S3 keeps them: the input objects intake stored (each carrying its `StoredImageRecord`
/// metadata) and the result objects the workers wrote (`results/<jobId>/<imageId>.json` in the
/// output bucket).
public struct JobArchive: Sendable {
    public let s3: S3Client
    public let inputBucket: String
    public let outputBucket: String
    /// Objects read at once during a rebuild.
    public var fetchConcurrency = 8

    public init(s3: S3Client, inputBucket: String, outputBucket: String) {
        self.s3 = s3
        self.inputBucket = inputBucket
        self.outputBucket = outputBucket
    }

    /// The job rebuilt from S3, or nil when no image of it is stored. Costs one listing and one
    /// HeadObject per image plus one GetObject per result: a rare path (after a restart, or for
    /// a job the store has forgotten), traded for one request less per job at intake.
    public func rebuild(jobId: String) async throws -> JobStatus? {
        let stored = try await s3.listAllObjects(bucket: inputBucket, prefix: ObjectNaming.inputPrefix(jobId: jobId))
        let records = try await concurrently(stored) { summary in try await self.record(summary.key, jobId: jobId) }
        guard let submittedAt = records.map(\.submittedAt).min() else { return nil }
        let images = records.map(\.image).sorted { $0.index < $1.index }
        let summaries = try await s3.listAllObjects(bucket: outputBucket, prefix: ObjectNaming.resultPrefix(jobId: jobId))
            .filter { $0.key.hasSuffix(".json") }
        var results = try await concurrently(summaries) { summary in try await self.result(summary, submittedAt: submittedAt) }
        results.sort { ($0.completedAt, $0.imageId) < ($1.completedAt, $1.imageId) }
        return JobStatus(jobId: jobId, submittedAt: submittedAt, images: images, results: results)
    }

    /// One image's record from its object's metadata; nil when the object went away meanwhile
    /// (intake deletes the images it could not queue).
    private func record(_ key: String, jobId: String) async throws -> StoredImageRecord? {
        let attributes: S3ObjectAttributes
        do {
            attributes = try await s3.headObject(bucket: inputBucket, key: key)
        } catch S3Error.noSuchKey {
            return nil
        }
        return try StoredImageRecord.parse(key: key, jobId: jobId, metadata: attributes.metadata)
    }

    /// One stored result; an unreadable object is skipped (the image stays pending) rather than
    /// failing the whole job.
    private func result(_ summary: S3ObjectSummary, submittedAt: Int64) async throws -> ImageResult? {
        let object: S3Object
        do {
            object = try await s3.getObject(bucket: outputBucket, key: summary.key)
        } catch S3Error.noSuchKey {
            return nil
        }
        guard let message = try? MessageCodec.decodeResult(String(decoding: object.body, as: UTF8.self)) else { return nil }
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
