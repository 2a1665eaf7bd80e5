/// What a handler answers. The server adds `Date`, `Content-Length` or chunked framing, and
/// `Connection: close` when it is going to close.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: HTTPResponseBody
    /// Set only on 101 responses: who takes the connection over afterwards.
    public var upgrader: (any ConnectionUpgrader)?

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: HTTPResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A fixed body with its content type.
    public init(status: HTTPStatus = .ok, contentType: String, body: [UInt8], headers: HTTPHeaders = HTTPHeaders()) {
        var headers = headers
        headers.set("Content-Type", contentType)
        self.init(status: status, headers: headers, body: .bytes(body))
    }

    /// A plain-text body (UTF-8).
    public static func text(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    /// A JSON body from already-encoded bytes.
    public static func json(_ bytes: [UInt8], status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: bytes)
    }

    /// An error page: the status line plus a one-line reason, as plain text.
    public static func error(_ status: HTTPStatus, _ message: String? = nil) -> HTTPResponse {
        .text("\(status.code) \(status.reasonPhrase)\(message.map { ": \($0)" } ?? "")\n", status: status)
    }

    /// Accepts a protocol switch: the server sends this 101, then calls `upgrader.takeOver`.
    public static func switchingProtocols(headers: HTTPHeaders, upgrader: any ConnectionUpgrader) -> HTTPResponse {
        var response = HTTPResponse(status: .switchingProtocols, headers: headers)
        response.upgrader = upgrader
        return response
    }
}

/// A response body.
public enum HTTPResponseBody: Sendable {
    case empty
    /// A fixed body, sent with Content-Length.
    case bytes([UInt8])
    /// A body produced while it is sent, with chunked transfer coding. Each `write` waits until
    /// the bytes are in the socket's buffer, so a slow client slows the producer.
    case stream(@Sendable (any HTTPBodyWriter) async throws -> Void)
    /// A regular file, streamed from disk with Content-Length.
    case file(path: String, size: Int)

    /// The length known in advance, if any.
    public var knownLength: Int? {
        switch self {
        case .empty: return 0
        case let .bytes(bytes): return bytes.count
        case .stream: return nil
        case let .file(_, size): return size
        }
    }
}

/// Where a streamed response body goes.
public protocol HTTPBodyWriter: Sendable {
    func write(_ bytes: [UInt8]) async throws
}
