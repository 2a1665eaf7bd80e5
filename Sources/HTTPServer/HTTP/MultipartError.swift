/// Why a multipart body was refused; each case maps to a status and says which limit was hit.
public enum MultipartError: Error, Equatable, Sendable, HTTPResponseError, CustomStringConvertible {
    case notMultipartFormData
    case invalidBoundary
    case malformed(String)
    case truncated
    case partHeadersTooLarge(limit: Int)
    case partTooLarge(limit: Int)
    case totalTooLarge(limit: Int)
    case tooManyParts(limit: Int)
    case spoolFailed(errno: Int32)
    /// The shared spool budget (`MultipartLimits.spoolBudget`) is spent: retry once uploads finish.
    case spoolFull(limit: Int)

    public var status: HTTPStatus {
        switch self {
        case .notMultipartFormData: return .unsupportedMediaType
        case .partTooLarge, .totalTooLarge, .tooManyParts, .partHeadersTooLarge: return .contentTooLarge
        case .spoolFailed: return .internalServerError
        case .spoolFull: return .serviceUnavailable
        default: return .badRequest
        }
    }

    public var message: String { description }

    public var description: String {
        switch self {
        case .notMultipartFormData: return "expected Content-Type multipart/form-data with a boundary"
        case .invalidBoundary: return "multipart boundary must be 1-70 characters"
        case let .malformed(reason): return "malformed multipart body: \(reason)"
        case .truncated: return "multipart body ended before its closing boundary"
        case let .partHeadersTooLarge(limit): return "part headers larger than \(limit) bytes"
        case let .partTooLarge(limit): return "a part is larger than the limit of \(limit) bytes"
        case let .totalTooLarge(limit): return "multipart body larger than the limit of \(limit) bytes"
        case let .tooManyParts(limit): return "more than the limit of \(limit) parts"
        case let .spoolFailed(code): return "could not spool a part to disk (errno \(code))"
        case let .spoolFull(limit):
            return "the server is holding its limit of \(limit) bytes of uploads on disk; retry in a few seconds"
        }
    }
}
