/// Why the bytes of a request were refused. Each case maps to the status the client gets; the
/// connection is closed after any of them because the framing can no longer be trusted.
public enum HTTPDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case requestLineTooLong(limit: Int)
    case headerSectionTooLarge(limit: Int)
    case tooManyHeaderFields(limit: Int)
    /// A line ended in LF without CR: lenient parsers disagree about it, which is how smuggling starts.
    case bareLineFeed
    case malformedRequestLine
    case invalidMethod
    case unsupportedMethod(String)
    case invalidTarget
    case unsupportedVersion(String)
    case obsoleteLineFolding
    case whitespaceBeforeColon
    case invalidHeaderName
    case invalidHeaderValue(name: String)
    case missingHost
    case multipleHosts
    case contentLengthWithTransferEncoding
    case conflictingContentLength
    case invalidContentLength
    case unsupportedTransferEncoding(String)
    /// Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1: faulty framing).
    case transferEncodingInHTTP10
    case lengthRequired
    case bodyTooLarge(limit: Int)
    case invalidChunkSize
    case chunkExtensionTooLong(limit: Int)
    case invalidChunkTerminator

    public var status: HTTPStatus {
        switch self {
        case .requestLineTooLong: return .uriTooLong
        case .headerSectionTooLarge, .tooManyHeaderFields: return .requestHeaderFieldsTooLarge
        case .unsupportedMethod, .unsupportedTransferEncoding: return .notImplemented
        case .unsupportedVersion: return .httpVersionNotSupported
        case .lengthRequired: return .lengthRequired
        case .bodyTooLarge: return .contentTooLarge
        default: return .badRequest
        }
    }

    public var description: String {
        switch self {
        case let .requestLineTooLong(limit): return "request line longer than \(limit) bytes"
        case let .headerSectionTooLarge(limit): return "header section larger than \(limit) bytes"
        case let .tooManyHeaderFields(limit): return "more than \(limit) header fields"
        case .bareLineFeed: return "line ends in LF without CR"
        case .malformedRequestLine: return "malformed request line"
        case .invalidMethod: return "method is not a token"
        case let .unsupportedMethod(method): return "method \(method) is not implemented"
        case .invalidTarget: return "request target is not origin-form"
        case let .unsupportedVersion(version): return "\(version) is not supported"
        case .obsoleteLineFolding: return "obsolete line folding is not accepted"
        case .whitespaceBeforeColon: return "whitespace between header name and colon"
        case .invalidHeaderName: return "header name is not a token"
        case let .invalidHeaderValue(name): return "header \(name) has a control character"
        case .missingHost: return "HTTP/1.1 request without Host"
        case .multipleHosts: return "more than one Host header"
        case .contentLengthWithTransferEncoding: return "both Content-Length and Transfer-Encoding"
        case .conflictingContentLength: return "Content-Length values differ"
        case .invalidContentLength: return "Content-Length is not a decimal number"
        case let .unsupportedTransferEncoding(coding): return "Transfer-Encoding '\(coding)' is not supported; only chunked"
        case .transferEncodingInHTTP10: return "Transfer-Encoding is not defined for HTTP/1.0; send Content-Length"
        case .lengthRequired: return "a body needs Content-Length or chunked Transfer-Encoding"
        case let .bodyTooLarge(limit): return "body larger than \(limit) bytes"
        case .invalidChunkSize: return "invalid chunk size"
        case let .chunkExtensionTooLong(limit): return "chunk extensions longer than \(limit) bytes"
        case .invalidChunkTerminator: return "chunk data not followed by CRLF"
        }
    }
}
