import Foundation
import Pipeline

/// What the web tier writes to S3 (`ObjectNaming.manifestKey`) when it accepts a job: the job's
/// images and when it was submitted. With the workers' result objects it rebuilds the job after
/// a restart.
public struct JobManifest: Codable, Sendable, Equatable {
    public var v: Int
    public var jobId: String
    public var submittedAt: Int64
    public var images: [AcceptedImage]

    public static let currentVersion = 1

    public init(jobId: String, submittedAt: Int64, images: [AcceptedImage]) {
        self.v = Self.currentVersion
        self.jobId = jobId
        self.submittedAt = submittedAt
        self.images = images
    }

    public func encoded() -> Data { Data(MessageCodec.encode(self).utf8) }

    /// Decodes a stored manifest; a wrong version or shape is an error, not a guess.
    public static func decode(_ data: Data) throws -> JobManifest {
        let manifest = try JSONDecoder().decode(JobManifest.self, from: data)
        guard manifest.v == currentVersion else { throw JobArchiveError.unsupportedManifest(version: manifest.v) }
        return manifest
    }
}
