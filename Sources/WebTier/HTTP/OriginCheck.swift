import HTTPServer

/// Which pages may open our WebSockets (cross-site WebSocket hijacking defence): a request with no
/// `Origin` is not from a browser page and is allowed; otherwise the origin must be this server's
/// own (its host and port equal the `Host` header) or one of `web.allowedOrigins`.
public struct OriginCheck: Sendable {
    let allowed: Set<String>

    public init(allowedOrigins: [String]) {
        allowed = Set(allowedOrigins.map { Self.normalise($0) })
    }

    public func allows(_ headers: HTTPHeaders) -> Bool {
        guard let origin = headers["Origin"] else { return true }
        let normalised = Self.normalise(origin)
        if allowed.contains(normalised) { return true }
        guard let host = headers["Host"]?.lowercased() else { return false }
        for scheme in ["http://", "https://"] where normalised.hasPrefix(scheme) {
            return String(normalised.dropFirst(scheme.count)) == host
        }
        return false
    }

    static func normalise(_ origin: String) -> String {
        var text = origin.lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
