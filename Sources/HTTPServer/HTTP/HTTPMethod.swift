/// A request method token. Any syntactically valid token decodes; the server answers 501 for the
/// ones it does not implement (`isImplemented`).
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let get = HTTPMethod("GET")
    public static let head = HTTPMethod("HEAD")
    public static let post = HTTPMethod("POST")
    public static let put = HTTPMethod("PUT")
    public static let delete = HTTPMethod("DELETE")
    public static let patch = HTTPMethod("PATCH")
    public static let options = HTTPMethod("OPTIONS")

    /// Methods this server implements. TRACE and CONNECT are deliberately absent (cross-site
    /// tracing, proxy abuse); unknown tokens get 501 as RFC 9110 §9.1 asks.
    public static let implemented: Set<HTTPMethod> = [.get, .head, .post, .put, .delete, .patch, .options]

    public var isImplemented: Bool {
        // A switch, not `implemented.contains`: no hashing of the method on every request.
        switch rawValue {
        case "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS": return true
        default: return false
        }
    }

    /// The method named by a request line's token bytes; the common ones without building a string.
    init(bytes: ArraySlice<UInt8>) {
        if bytes.elementsEqual("GET".utf8) {
            self = .get
        } else if bytes.elementsEqual("POST".utf8) {
            self = .post
        } else {
            self.init(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Methods whose requests normally carry a body, so a missing length is a 411.
    var expectsBody: Bool { self == .post || self == .put || self == .patch }

    public var description: String { rawValue }
}

/// `HTTP/major.minor`. Only 1.x is served; other majors get 505.
public struct HTTPVersion: Hashable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(major: Int, minor: Int) { self.major = major; self.minor = minor }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}
