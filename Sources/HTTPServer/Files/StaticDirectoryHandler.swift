/// Serves files under a directory with MIME types, a validator (`ETag` and `Last-Modified`) and
/// 304 for matching `If-None-Match` / `If-Modified-Since`. Only GET and HEAD; other methods 405.
public struct StaticDirectoryHandler: HTTPHandler {
    public let resolver: StaticFileResolver
    /// Prefix of the request path to strip before resolving (e.g. `/static`).
    public let mountPath: String
    public var cacheControl: String? = "public, max-age=60"
    private let cache: StaticFileCache

    /// Nil when `root` is not a directory. Resolutions and small files are cached for
    /// `cacheLifetime`; changes on disk show up after at most that long.
    public init?(root: String, mountPath: String = "", cacheLifetime: Duration = .seconds(1)) {
        guard let resolver = StaticFileResolver(root: root) else { return nil }
        self.cache = StaticFileCache(lifetime: cacheLifetime)
        self.resolver = resolver
        self.mountPath = mountPath.hasSuffix("/") ? String(mountPath.dropLast()) : mountPath
    }

    public func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard request.method == .get || request.method == .head else {
            var response = HTTPResponse.error(.methodNotAllowed)
            response.headers.set("Allow", "GET, HEAD")
            return response
        }
        var path = request.path
        if !mountPath.isEmpty {
            guard path.hasPrefix(mountPath) else { return .error(.notFound) }
            path = path.dropFirst(mountPath.count)
        }
        let entry = cache.lookup(path, resolver: resolver)
        switch entry.resolution {
        case let .badRequest(reason):
            return .error(.badRequest, reason)
        case .notFound:
            return .error(.notFound)
        case let .file(filePath, size, modified):
            var headers: HTTPHeaders = ["ETag": entry.etag, "Last-Modified": entry.lastModified]
            if let cacheControl { headers.append("Cache-Control", cacheControl) }
            if FileValidators.notModified(request.headers, etag: entry.etag, modified: modified) {
                return HTTPResponse(status: .notModified, headers: headers)
            }
            headers.append("Content-Type", entry.contentType)
            if let contents = entry.contents { return HTTPResponse(status: .ok, headers: headers, body: .bytes(contents)) }
            return HTTPResponse(status: .ok, headers: headers, body: .file(path: filePath, size: size))
        }
    }
}

/// Conditional-request evaluation (RFC 9110 §13.2.2): If-None-Match takes precedence; weak
/// comparison; If-Modified-Since only when If-None-Match is absent.
public enum FileValidators {
    public static func notModified(_ headers: HTTPHeaders, etag: String, modified: Int) -> Bool {
        let ifNoneMatch = headers.values(of: "If-None-Match")
        if !ifNoneMatch.isEmpty {
            let candidates = ifNoneMatch.flatMap { $0.split(separator: ",") }.map { $0.trimmingOWS() }
            return candidates.contains { $0 == "*" || weakEqual($0, etag) }
        }
        if let since = headers["If-Modified-Since"], let sinceSeconds = HTTPDate.parse(since) {
            return modified <= sinceSeconds
        }
        return false
    }

    private static func weakEqual(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        func opaque(_ tag: some StringProtocol) -> Substring {
            tag.hasPrefix("W/") ? Substring(tag).dropFirst(2) : Substring(tag)
        }
        return opaque(a) == opaque(b)
    }
}
