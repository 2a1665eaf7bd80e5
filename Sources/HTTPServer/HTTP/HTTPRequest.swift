/// A request as a handler sees it: the head, route parameters, and a body that is read as the
/// handler consumes it (never buffered whole unless the handler asks with `collect`).
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    /// Values of `:name` segments matched by the router.
    public var routeParameters: [String: String] = [:]
    /// The peer, e.g. `127.0.0.1:51234`.
    public var remoteAddress: String
    public let body: HTTPRequestBody

    public init(head: HTTPRequestHead, remoteAddress: String = "-", body: HTTPRequestBody = .empty) {
        self.head = head
        self.remoteAddress = remoteAddress
        self.body = body
    }

    public var method: HTTPMethod { head.method }
    public var target: String { head.target }
    public var headers: HTTPHeaders { head.headers }
    /// The path, still percent-encoded.
    public var path: Substring { head.path }
    public var query: Substring? { head.query }

    /// The decoded value of query parameter `name`, if present.
    public func queryParameter(_ name: String) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = PercentEncoding.decodeFormComponent(parts[0])
            if key == name { return parts.count > 1 ? PercentEncoding.decodeFormComponent(parts[1]) : "" }
        }
        return nil
    }
}
