/// The request line and header fields of one request, as decoded, plus the framing the decoder
/// derived from them.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: HTTPMethod
    /// The request target exactly as sent (origin-form `/path?query`, or `*`).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// How the body is delimited.
    public var framing: BodyFraming
    /// The client sent `Expect: 100-continue` and waits for a 100 before sending the body.
    public var expectsContinue: Bool

    public enum BodyFraming: Sendable, Equatable {
        case none
        case contentLength(Int)
        case chunked
    }

    public init(method: HTTPMethod, target: String, version: HTTPVersion = .http1_1,
                headers: HTTPHeaders = HTTPHeaders(), framing: BodyFraming = .none, expectsContinue: Bool = false) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.framing = framing
        self.expectsContinue = expectsContinue
    }

    /// The target's path part (before `?`), still percent-encoded.
    public var path: Substring {
        target.firstIndex(ofASCII: UInt8(ascii: "?")).map { target[..<$0] } ?? target[...]
    }

    /// The query string after `?`, if any, still percent-encoded.
    public var query: Substring? {
        target.firstIndex(ofASCII: UInt8(ascii: "?")).map { target[target.utf8.index(after: $0)...] }
    }

    /// Whether the connection may stay open after this request (RFC 9112 §9.3).
    public var keepAlive: Bool {
        if headers.hasToken("close", in: "Connection") { return false }
        if version == .http1_0 { return headers.hasToken("keep-alive", in: "Connection") }
        return true
    }
}
