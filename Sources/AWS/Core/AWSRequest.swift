import Foundation

/// One HTTP request to an AWS service, before endpoint resolution and signing.
///
/// aws-svc: build one per API call with the raw, unencoded path (`"/bucket/my key.jpg"`, or `"/"`
/// for SQS/EC2) and the raw query items in order (`[("list-type", "2"), ("prefix", "a b")]`);
/// the core percent-encodes both exactly once when it signs and sends. Never pre-encode.
/// Put protocol headers (`X-Amz-Target`, `Content-Type`) in `headers`; leave `Host`,
/// `X-Amz-Date`, `Authorization` and `x-amz-content-sha256` to the core.
public struct AWSRequest: Sendable {
    public var method: String
    /// The raw path, starting with "/", not percent-encoded.
    public var path: String
    /// The raw query items, in order; encoded by the core.
    public var query: [(name: String, value: String)]
    public var headers: AWSHeaders
    public var body: AWSRequestBody
    /// Whether the body's SHA-256 is signed or `UNSIGNED-PAYLOAD` is sent (S3 only; pair it with a
    /// checksum header S3 verifies, see `S3UploadIntegrity`).
    public var payloadSigning: AWSPayloadSigning
    /// Overrides the configuration's total timeout, e.g. for a 20 s SQS long poll.
    public var timeout: Duration?

    public init(method: String, path: String = "/", query: [(name: String, value: String)] = [],
                headers: AWSHeaders = AWSHeaders(), body: AWSRequestBody = .empty,
                payloadSigning: AWSPayloadSigning = .signed, timeout: Duration? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.payloadSigning = payloadSigning
        self.timeout = timeout
    }
}

/// Where a request's body comes from. A file body is streamed by the transport, not loaded.
public enum AWSRequestBody: Sendable {
    case empty
    case bytes([UInt8])
    case data(Data)
    case file(URL)
}

/// How the payload hash is put into the signature.
public enum AWSPayloadSigning: Sendable, Equatable {
    /// The SHA-256 of the body (read once for a file body).
    case signed
    /// The literal `UNSIGNED-PAYLOAD` (S3 allows it; saves hashing a large upload).
    case unsigned
}
