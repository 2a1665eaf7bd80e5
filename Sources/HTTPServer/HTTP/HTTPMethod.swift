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
    public static let implemented = Set(implementedList)
    private static let implementedList: [HTTPMethod] = [.get, .head, .post, .put, .delete, .patch, .options]

    /// Asked of every request: a few short-string compares over the list, no hashing.
    public var isImplemented: Bool { HTTPMethod.implementedList.contains(self) }

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
