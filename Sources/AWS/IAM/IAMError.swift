/// What went wrong with an IAM call.
public enum IAMError: Error, Equatable, CustomStringConvertible {
    /// The role, policy or instance profile does not exist.
    case noSuchEntity(message: String?)
    /// A role or instance profile of that name already exists.
    case entityAlreadyExists(message: String?)
    /// The entity is still in use (a role in an instance profile, a profile with a role).
    case deleteConflict(message: String?)
    /// The credentials may not do this (IAM policy).
    case accessDenied(message: String?)
    /// The request was not authenticated: wrong key or secret, or a bad signature.
    case authFailure(message: String?)
    /// A parameter or policy document was rejected; `code` is IAM's.
    case invalidInput(code: String, message: String?)
    /// Any other service error, kept whole.
    case other(code: String, message: String?, status: Int, requestID: String?)
    /// A 2xx response the client could not understand.
    case malformedResponse(operation: String, reason: String)

    public var description: String {
        switch self {
        case let .noSuchEntity(message): return "IAM entity not found: \(message ?? "")"
        case let .entityAlreadyExists(message): return "IAM entity already exists: \(message ?? "")"
        case let .deleteConflict(message): return "IAM entity still in use (detach it first): \(message ?? "")"
        case let .accessDenied(message):
            return "IAM operation not allowed for these credentials (provisioning needs an administrator's keys): \(message ?? "")"
        case let .authFailure(message): return "IAM rejected the credentials or signature (check the key pair): \(message ?? "")"
        case let .invalidInput(code, message): return "IAM rejected a parameter (\(code)): \(message ?? "")"
        case let .other(code, message, status, requestID):
            return "IAM error \(code) (HTTP \(status)): \(message ?? "")\(requestID.map { " [request \($0)]" } ?? "")"
        case let .malformedResponse(operation, reason): return "unreadable IAM \(operation) response: \(reason)"
        }
    }

    public static func from(code: String, message: String?, status: Int, requestID: String?) -> IAMError {
        switch code {
        case "NoSuchEntity": return .noSuchEntity(message: message)
        case "EntityAlreadyExists": return .entityAlreadyExists(message: message)
        case "DeleteConflict": return .deleteConflict(message: message)
        case "AccessDenied", "AccessDeniedException": return .accessDenied(message: message)
        case "InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature": return .authFailure(message: message)
        case "InvalidInput", "MalformedPolicyDocument", "ValidationError", "LimitExceeded":
            return .invalidInput(code: code, message: message)
        default: return .other(code: code, message: message, status: status, requestID: requestID)
        }
    }
}
