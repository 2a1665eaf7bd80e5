import Foundation

/// A service's HTTP response after any retries.
///
/// aws-svc: `send` only returns 2xx responses (others become `AWSServiceError`); read `body`
/// (empty when the response went to a file) and `headers` (case-insensitive). When you asked
/// for a download, `file` is the URL the body was written to.
public struct AWSResponse: Sendable {
    public var status: Int
    public var headers: AWSHeaders
    public var body: Data
    /// The file the body was downloaded to, when `send(_:downloadTo:)` was given one.
    public var file: URL?

    public init(status: Int, headers: AWSHeaders, body: Data, file: URL? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.file = file
    }

    /// The request id AWS puts in a header (S3 `x-amz-request-id`, SQS/EC2 `x-amzn-RequestId`).
    public var requestID: String? {
        headers["x-amzn-RequestId"] ?? headers["x-amz-request-id"] ?? headers["x-amzn-request-id"]
    }
}
