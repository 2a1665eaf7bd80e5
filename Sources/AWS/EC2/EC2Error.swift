/// What went wrong with an EC2 call.
public enum EC2Error: Error, Equatable, CustomStringConvertible {
    /// One or more instance ids are unknown (or terminated long ago).
    case instanceNotFound(message: String?)
    /// An instance id is not of the form `i-…`.
    case malformedInstanceID(message: String?)
    /// The AMI does not exist in this region.
    case imageNotFound(message: String?)
    /// The request was not authenticated: wrong key or secret, or a bad signature.
    case authFailure(message: String?)
    /// The credentials may not do this (IAM policy).
    case unauthorizedOperation(message: String?)
    /// A parameter was rejected; `code` is EC2's (`InvalidParameterValue`, …).
    case invalidParameter(code: String, message: String?)
    /// Any other service error, kept whole.
    case other(code: String, message: String?, status: Int, requestID: String?)
    /// Refused before sending.
    case invalidRequest(reason: String)
    /// A 2xx response the client could not understand.
    case malformedResponse(operation: String, reason: String)

    public var description: String {
        switch self {
        case let .instanceNotFound(message): return "EC2 instance not found: \(message ?? "")"
        case let .malformedInstanceID(message): return "malformed EC2 instance id: \(message ?? "")"
        case let .imageNotFound(message): return "EC2 AMI not found in this region: \(message ?? "")"
        case let .authFailure(message): return "EC2 rejected the credentials or signature (check the key pair): \(message ?? "")"
        case let .unauthorizedOperation(message): return "EC2 operation not allowed for these credentials: \(message ?? "")"
        case let .invalidParameter(code, message): return "EC2 rejected a parameter (\(code)): \(message ?? "")"
        case let .other(code, message, status, requestID):
            return "EC2 error \(code) (HTTP \(status)): \(message ?? "")\(requestID.map { " [request \($0)]" } ?? "")"
        case let .invalidRequest(reason): return "invalid EC2 request: \(reason)"
        case let .malformedResponse(operation, reason): return "unreadable EC2 \(operation) response: \(reason)"
        }
    }

    public static func from(code: String, message: String?, status: Int, requestID: String?) -> EC2Error {
        switch code {
        case "InvalidInstanceID.NotFound": return .instanceNotFound(message: message)
        case "InvalidInstanceID.Malformed": return .malformedInstanceID(message: message)
        case "InvalidAMIID.NotFound", "InvalidAMIID.Malformed": return .imageNotFound(message: message)
        case "AuthFailure", "SignatureDoesNotMatch", "InvalidClientTokenId", "IncompleteSignature": return .authFailure(message: message)
        case "UnauthorizedOperation": return .unauthorizedOperation(message: message)
        case "InvalidParameterValue", "InvalidParameter", "InvalidParameterCombination", "MissingParameter",
             "InvalidFilter", "InvalidUserData.Malformed":
            return .invalidParameter(code: code, message: message)
        default: return .other(code: code, message: message, status: status, requestID: requestID)
        }
    }
}
