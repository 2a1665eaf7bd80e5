import HTTPServer

/// Why a whole upload request was refused (per-file problems are `RejectedFile`s instead).
/// Each case maps to its HTTP status and names the limit or what to do.
public enum IntakeError: Error, Sendable, Equatable, HTTPResponseError, CustomStringConvertible {
    case requestTooLarge(limit: Int)
    case tooManyFiles(limit: Int)
    case fileTooLarge(limit: Int)
    case notMultipart
    case malformed(String)
    case missingField(String)
    /// Every file was refused; the reasons are in the payload.
    case noAcceptableFile
    /// The manifest could not be written, so the job could not be rebuilt: nothing was queued.
    case storageUnavailable(String)
    case unauthorized
    /// The uploads being read already fill the spool disk budget (`web.spoolDiskBytes`).
    case spoolFull(limit: Int)

    public var status: HTTPStatus {
        switch self {
        case .requestTooLarge, .tooManyFiles, .fileTooLarge: return .contentTooLarge
        case .notMultipart, .noAcceptableFile: return .unsupportedMediaType
        case .malformed, .missingField: return .badRequest
        case .storageUnavailable, .spoolFull: return .serviceUnavailable
        case .unauthorized: return .unauthorized
        }
    }

    public var message: String { description }

    public var description: String {
        switch self {
        case let .requestTooLarge(limit): return "the request is larger than the limit of \(limit) bytes"
        case let .tooManyFiles(limit): return "the request has more than the limit of \(limit) files"
        case let .fileTooLarge(limit): return "a file is larger than the limit of \(limit) bytes"
        case .notMultipart: return "expected multipart/form-data"
        case let .malformed(reason): return "malformed upload: \(reason)"
        case let .missingField(name): return "the request has no file in the field '\(name)'"
        case .noAcceptableFile: return "no file was accepted"
        case let .storageUnavailable(reason): return "storage is unavailable, nothing was queued (retry later): \(reason)"
        case let .spoolFull(limit):
            return "the server is busy: uploads in progress fill its \(limit) bytes of spool space; retry in a few seconds"
        case .unauthorized: return "an upload token is required (Authorization: Bearer <token> or the upload_token cookie)"
        }
    }

    /// Seconds a client should wait before retrying (`Retry-After`), for a refusal that passes.
    public var retryAfterSeconds: Int? {
        if case .spoolFull = self { return 2 }
        return nil
    }

    /// The response that refuses a request for this reason.
    public var response: HTTPResponse {
        var response = HTTPResponse.error(status, message)
        if let retryAfterSeconds { response.headers.set("Retry-After", String(retryAfterSeconds)) }
        return response
    }

    /// The intake error for a multipart reader failure.
    static func from(_ error: MultipartError, limits: MultipartLimits) -> IntakeError {
        switch error {
        case .totalTooLarge: return .requestTooLarge(limit: limits.maxTotalBytes)
        case .partTooLarge: return .fileTooLarge(limit: limits.maxPartBytes)
        case .tooManyParts: return .tooManyFiles(limit: limits.maxParts)
        case .notMultipartFormData: return .notMultipart
        case let .spoolFull(limit): return .spoolFull(limit: limit)
        default: return .malformed(error.description)
        }
    }
}
