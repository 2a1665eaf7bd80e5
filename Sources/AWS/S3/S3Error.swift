/// What went wrong with an S3 call, with the bucket and key it concerned.
public enum S3Error: Error, Equatable, CustomStringConvertible {
    /// The bucket does not exist: create it first, or check the name and region.
    case noSuchBucket(bucket: String)
    /// The object does not exist (or was deleted).
    case noSuchKey(bucket: String, key: String)
    /// The bucket name is taken by another account; pick another name.
    case bucketAlreadyExists(bucket: String)
    /// The credentials are valid but not allowed to do this (bucket policy, IAM).
    case accessDenied(bucket: String?, message: String?)
    /// The request's signature did not verify: wrong secret key, or a clock/encoding problem.
    case signatureDoesNotMatch(message: String?)
    /// The access key id is unknown to the service.
    case invalidAccessKeyID(message: String?)
    /// The bucket is not empty, so it cannot be deleted.
    case bucketNotEmpty(bucket: String)
    /// Any other service error, kept whole.
    case other(code: String, message: String?, status: Int, requestID: String?)
    /// The bucket name breaks S3's naming rules (3-63 characters: a-z, 0-9, '.', '-').
    case invalidBucketName(String)
    /// The call was refused before sending: an argument is out of range or not encodable.
    case invalidRequest(reason: String)
    /// A 2xx response the client could not understand.
    case malformedResponse(operation: String, reason: String)

    public var description: String {
        switch self {
        case let .noSuchBucket(bucket): return "S3 bucket '\(bucket)' does not exist"
        case let .noSuchKey(bucket, key): return "S3 object '\(key)' does not exist in bucket '\(bucket)'"
        case let .bucketAlreadyExists(bucket): return "S3 bucket name '\(bucket)' is owned by another account; choose another"
        case let .accessDenied(bucket, message):
            return "S3 access denied\(bucket.map { " to bucket '\($0)'" } ?? ""): \(message ?? "check the IAM policy")"
        case let .signatureDoesNotMatch(message):
            return "S3 rejected the request signature (check the secret key): \(message ?? "")"
        case let .invalidAccessKeyID(message): return "S3 does not know this access key id: \(message ?? "")"
        case let .bucketNotEmpty(bucket): return "S3 bucket '\(bucket)' is not empty"
        case let .other(code, message, status, requestID):
            return "S3 error \(code) (HTTP \(status)): \(message ?? "")\(requestID.map { " [request \($0)]" } ?? "")"
        case let .invalidBucketName(name): return "invalid S3 bucket name '\(name)': use 3-63 characters of a-z, 0-9, '.', '-'"
        case let .invalidRequest(reason): return "invalid S3 request: \(reason)"
        case let .malformedResponse(operation, reason): return "unreadable S3 \(operation) response: \(reason)"
        }
    }

    /// Maps a service error code (or, for bodiless HEAD responses, the HTTP status) to a typed
    /// error, attaching the bucket and key the call was about.
    public static func from(code: String?, message: String?, status: Int, requestID: String?,
                            bucket: String?, key: String?) -> S3Error {
        switch code {
        case "NoSuchBucket": return .noSuchBucket(bucket: bucket ?? "")
        case "NoSuchKey": return .noSuchKey(bucket: bucket ?? "", key: key ?? "")
        case "BucketAlreadyExists": return .bucketAlreadyExists(bucket: bucket ?? "")
        case "AccessDenied": return .accessDenied(bucket: bucket, message: message)
        case "SignatureDoesNotMatch": return .signatureDoesNotMatch(message: message)
        case "InvalidAccessKeyId": return .invalidAccessKeyID(message: message)
        case "BucketNotEmpty": return .bucketNotEmpty(bucket: bucket ?? "")
        case let code? where !code.isEmpty:
            return .other(code: code, message: message, status: status, requestID: requestID)
        default:
            // A HEAD response has no body, so only the status says what happened.
            switch status {
            case 404 where key != nil: return .noSuchKey(bucket: bucket ?? "", key: key!)
            case 404 where bucket != nil: return .noSuchBucket(bucket: bucket!)
            case 403: return .accessDenied(bucket: bucket, message: message)
            default: return .other(code: "HTTP\(status)", message: message, status: status, requestID: requestID)
            }
        }
    }
}
