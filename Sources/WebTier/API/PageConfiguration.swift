import Foundation
import Pipeline

/// `GET /api/config`: what the page needs to check files before uploading them (the server checks
/// again; this only spares the user a wasted upload) and whether it must ask for a token.
public struct PageConfiguration: Codable, Sendable, Equatable {
    /// Lowercase, without the dot.
    public var allowedExtensions: [String]
    public var maxFileBytes: Int
    public var maxFilesPerRequest: Int
    public var maxRequestBytes: Int
    public var uploadTokenRequired: Bool

    public init(allowedExtensions: [String], maxFileBytes: Int, maxFilesPerRequest: Int, maxRequestBytes: Int,
                uploadTokenRequired: Bool) {
        self.allowedExtensions = allowedExtensions
        self.maxFileBytes = maxFileBytes
        self.maxFilesPerRequest = maxFilesPerRequest
        self.maxRequestBytes = maxRequestBytes
        self.uploadTokenRequired = uploadTokenRequired
    }

    /// The token itself never leaves the server: the page learns only that one is required.
    public init(_ web: WebSettings) {
        self.init(allowedExtensions: web.allowedExtensions.map { $0.lowercased() }, maxFileBytes: web.maxFileBytes,
                  maxFilesPerRequest: web.maxFilesPerRequest, maxRequestBytes: web.maxRequestBytes,
                  uploadTokenRequired: !(web.uploadToken ?? "").isEmpty)
    }
}
