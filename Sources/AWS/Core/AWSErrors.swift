import Foundation

/// What a service error body says, as decoded by the service's `AWSErrorDecoder`.
public struct AWSErrorDetails: Sendable, Equatable {
    public var code: String
    public var message: String
    public var requestID: String?

    public init(code: String, message: String, requestID: String? = nil) {
        self.code = code
        self.message = message
        self.requestID = requestID
    }
}

/// Turns a non-2xx response body into code, message and request id.
///
/// aws-svc: S3 and EC2 supply an XML decoder (`<Error><Code>…`, EC2 `<Response><Errors><Error>`),
/// SQS a JSON one (`__type` / `message`) that also accepts the XML body moto sends with a 403.
/// Return nil when the body is not recognisable; the core then reports the HTTP status alone.
public protocol AWSErrorDecoder: Sendable {
    func decodeError(status: Int, headers: AWSHeaders, body: Data) -> AWSErrorDetails?
}

/// An error response from an AWS service (after retries, or at once when not retryable).
///
/// aws-svc: match on `code` (e.g. "NoSuchKey", "AWS.SimpleQueueService.NonExistentQueue") to
/// build your own typed errors; `description` already carries an actionable hint.
public struct AWSServiceError: Error, Sendable, CustomStringConvertible {
    public var service: String
    public var code: String
    public var message: String
    public var requestID: String?
    public var statusCode: Int
    /// How many attempts were made before giving up.
    public var attempts: Int
    /// False when the response had no recognisable error body (e.g. a HEAD 404) and `code` was
    /// derived from the HTTP status ("NotFound", "Forbidden", ...).
    public var codeFromBody: Bool

    public init(service: String, code: String, message: String, requestID: String?, statusCode: Int, attempts: Int = 1,
                codeFromBody: Bool = true) {
        self.service = service
        self.code = code
        self.message = message
        self.requestID = requestID
        self.statusCode = statusCode
        self.attempts = attempts
        self.codeFromBody = codeFromBody
    }

    /// Throttling codes AWS services use; all mean "slow down and try again".
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    /// Codes for transient server-side faults that are worth retrying even without a 5xx status.
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
    ]

    public var isThrottling: Bool { statusCode == 429 || Self.throttlingCodes.contains(code) }

    /// Throttling, 5xx and transient codes are retried; everything else is the caller's to fix.
    public var isRetryable: Bool {
        isThrottling || (500...599).contains(statusCode) || Self.transientCodes.contains(code)
    }

    /// What a person should do about it, for the codes whose cause is usually local.
    public var hint: String? {
        switch code {
        case "SignatureDoesNotMatch":
            return "signature mismatch: check AWS_SECRET_ACCESS_KEY (and that the clock is right)"
        case "InvalidAccessKeyId", "InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure":
            return "the access key was not accepted: check AWS_ACCESS_KEY_ID / the credentials profile"
        case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
            return "credentials or request expired: refresh the session token or check the clock"
        case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
            return "the credentials lack permission for this action: check the IAM policy"
        default:
            if isThrottling { return "throttled: lower the request rate or raise the retry limit" }
            return nil
        }
    }

    public var description: String {
        var text = "\(service) error \(statusCode) \(code): \(message)"
        if let requestID { text += " (request id \(requestID))" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        if let hint { text += " — \(hint)" }
        return text
    }
}

/// A failure before any HTTP response arrived (or while reading it).
public struct AWSTransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// DNS, refused or unreachable connection.
        case connectionFailed
        /// The connection was reset, or the server sent nothing / a malformed response.
        case connectionLost
        /// The connect or total timeout elapsed.
        case timedOut
        /// TLS handshake or certificate verification failed.
        case tls
        /// A request body file could not be read or a download file could not be written.
        case file
        /// The URL or a request option was rejected before sending.
        case invalidRequest
        /// The awaiting task was cancelled and the transfer aborted.
        case cancelled
        /// Anything else libcurl reports.
        case other
    }

    public var kind: Kind
    public var message: String
    public var url: String
    public var attempts: Int

    public init(kind: Kind, message: String, url: String, attempts: Int = 1) {
        self.kind = kind
        self.message = message
        self.url = url
        self.attempts = attempts
    }

    /// Network faults are retried; local mistakes (bad file, bad URL, TLS verification) are not.
    public var isRetryable: Bool { kind == .connectionFailed || kind == .connectionLost || kind == .timedOut }

    public var description: String {
        var text = "request to \(url) failed (\(kind)): \(message)"
        if attempts > 1 { text += " after \(attempts) attempts" }
        switch kind {
        case .connectionFailed: text += " — is the endpoint URL right and the service reachable?"
        case .tls: text += " — check the endpoint's certificate (verification is always on for https)"
        case .timedOut: text += " — raise the timeout or check the network"
        default: break
        }
        return text
    }
}

/// An `AWSErrorDecoder` made from a closure, for small services and tests.
public struct ClosureErrorDecoder: AWSErrorDecoder {
    let decode: @Sendable (Int, AWSHeaders, Data) -> AWSErrorDetails?
    public init(_ decode: @escaping @Sendable (_ status: Int, _ headers: AWSHeaders, _ body: Data) -> AWSErrorDetails?) {
        self.decode = decode
    }
    public func decodeError(status: Int, headers: AWSHeaders, body: Data) -> AWSErrorDetails? {
        decode(status, headers, body)
    }
}
