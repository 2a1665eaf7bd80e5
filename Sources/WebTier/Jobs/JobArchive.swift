import AWS
import Foundation
import Pipeline

public enum JobArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedManifest(version: Int)

    public var description: String {
        switch self {
        case let .unsupportedManifest(version):
            return "job manifest version \(version) is not supported (this build reads \(JobManifest.currentVersion))"
        }
    }
}

/// Jobs as S3 keeps them: the manifest the web tier wrote and the result objects the workers
/// wrote (`results/<jobId>/<imageId>.json`), both in the output bucket.
public struct JobArchive: Sendable {
    public let s3: S3Client
    public let bucket: String
    /// Result objects fetched at once during a rebuild.
    public var fetchConcurrency = 8

    public init(s3: S3Client, bucket: String) {
        self.s3 = s3
        self.bucket = bucket
    }

    public func writeManifest(_ manifest: JobManifest) async throws {
        _ = try await s3.putObject(bucket: bucket, key: ObjectNaming.manifestKey(jobId: manifest.jobId),
                                   body: manifest.encoded(), contentType: "application/json")
    }

    /// The job rebuilt from S3, or nil when there is no manifest for it.
    public func rebuild(jobId: String) async throws -> JobStatus? {
        let manifest: JobManifest
        do {
            let object = try await s3.getObject(bucket: bucket, key: ObjectNaming.manifestKey(jobId: jobId))
            manifest = try JobManifest.decode(object.body)
        } catch S3Error.noSuchKey {
            return nil
        }
        let summaries = try await s3.listAllObjects(bucket: bucket, prefix: ObjectNaming.resultPrefix(jobId: jobId))
            .filter { $0.key.hasSuffix(".json") }
        var results: [ImageResult] = []
        try await withThrowingTaskGroup(of: ImageResult?.self) { group in
            var pending = summaries[...]
            func addNext() {
                guard let summary = pending.popFirst() else { return }
                group.addTask { try await self.result(summary, submittedAt: manifest.submittedAt) }
            }
            for _ in 0..<fetchConcurrency { addNext() }
            while let result = try await group.next() {
                if let result { results.append(result) }
                addNext()
            }
        }
        results.sort { ($0.completedAt, $0.imageId) < ($1.completedAt, $1.imageId) }
        return JobStatus(jobId: jobId, submittedAt: manifest.submittedAt, images: manifest.images, results: results)
    }

    /// One stored result; an unreadable object is skipped (the image stays pending) rather than
    /// failing the whole job.
    private func result(_ summary: S3ObjectSummary, submittedAt: Int64) async throws -> ImageResult? {
        let object: S3Object
        do {
            object = try await s3.getObject(bucket: bucket, key: summary.key)
        } catch S3Error.noSuchKey {
            return nil
        }
        guard let message = try? MessageCodec.decodeResult(String(decoding: object.body, as: UTF8.self)) else { return nil }
        let completed = summary.lastModified.map(APIJSON.milliseconds) ?? submittedAt
        return ImageResult(message, submittedAt: submittedAt, completedAt: completed)
    }
}
