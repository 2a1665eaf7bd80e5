import Foundation

/// `POST /api/jobs` → 202: the images taken into the job and the files refused with why. A request
/// where every file was refused still gets a job id (with no images), so the page shows each reason.
public struct JobAccepted: Codable, Sendable, Equatable {
    public var jobId: String
    public var images: [AcceptedImage]
    public var rejected: [RejectedFile]

    public init(jobId: String, images: [AcceptedImage], rejected: [RejectedFile]) {
        self.jobId = jobId
        self.images = images
        self.rejected = rejected
    }
}

/// An image queued for classification. `fileName` is the sanitised name the results will carry.
public struct AcceptedImage: Codable, Sendable, Equatable, Hashable {
    /// The file's position among the request's `files` parts, from 0: how a client pairs the
    /// image with the file it sent (names are sanitised and need not be unique).
    public var index: Int
    public var imageId: String
    public var fileName: String

    public init(index: Int, imageId: String, fileName: String) {
        self.index = index
        self.imageId = imageId
        self.fileName = fileName
    }
}

/// A file the web tier refused at intake (wrong extension, too large, empty), named as the browser
/// sent it so the user recognises it.
public struct RejectedFile: Codable, Sendable, Equatable, Hashable {
    /// The file's position among the request's `files` parts, from 0.
    public var index: Int
    public var fileName: String
    public var reason: String

    public init(index: Int, fileName: String, reason: String) {
        self.index = index
        self.fileName = fileName
        self.reason = reason
    }
}
