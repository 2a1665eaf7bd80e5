import Foundation
import Pipeline

/// What a job's stored input object says about its image, so that the job can be rebuilt from S3
/// after a restart without a separate manifest object: the object's key names the job, the image
/// and its safe file name (`ObjectNaming.inputKey`), and two metadata fields give the upload
/// position and the submission time. One request per image at intake (the image's own PutObject)
/// instead of an extra PutObject per job.
public struct StoredImageRecord: Sendable, Equatable {
    public var image: AcceptedImage
    /// When the web tier accepted the job, in milliseconds since 1970.
    public var submittedAt: Int64

    /// `x-amz-meta-image-index`: the file's position among the request's parts.
    public static let indexField = "image-index"
    /// `x-amz-meta-submitted-at`: the job's submission time in milliseconds since 1970.
    public static let submittedAtField = "submitted-at"

    public init(image: AcceptedImage, submittedAt: Int64) {
        self.image = image
        self.submittedAt = submittedAt
    }

    /// The user metadata to store with the image's object.
    public static func metadata(index: Int, submittedAt: Int64) -> [String: String] {
        [indexField: String(index), submittedAtField: String(submittedAt)]
    }

    /// The record of the object at `key` with `metadata` (as HeadObject returns it). Throws when
    /// the key is not a job's input key or the metadata lacks the fields: such an object was not
    /// written by this web tier's intake, and guessing its position would misplace results.
    public static func parse(key: String, jobId: String, metadata: [String: String]) throws(JobArchiveError) -> StoredImageRecord {
        let prefix = ObjectNaming.inputPrefix(jobId: jobId)
        guard key.hasPrefix(prefix) else { throw .unreadableImageRecord(key: key, reason: "not under \(prefix)") }
        let rest = key.dropFirst(prefix.count).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard rest.count == 2, ObjectNaming.isValidID(String(rest[0])), !rest[1].isEmpty else {
            throw .unreadableImageRecord(key: key, reason: "not <imageId>/<fileName> after the job prefix")
        }
        guard let index = metadata[indexField].flatMap({ Int($0) }), index >= 0 else {
            throw .unreadableImageRecord(key: key, reason: "no x-amz-meta-\(indexField) holding a position")
        }
        guard let submittedAt = metadata[submittedAtField].flatMap({ Int64($0) }), submittedAt > 0 else {
            throw .unreadableImageRecord(key: key, reason: "no x-amz-meta-\(submittedAtField) holding milliseconds")
        }
        return StoredImageRecord(image: AcceptedImage(index: index, imageId: String(rest[0]), fileName: String(rest[1])),
                                 submittedAt: submittedAt)
    }
}
