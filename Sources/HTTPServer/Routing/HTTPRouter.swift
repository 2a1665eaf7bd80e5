/// Dispatches by method and path pattern, in registration order. A path that matches some route
/// but not the method gets 405 with `Allow`; no match gets 404 (or the fallback handler).
/// HEAD is served by GET routes (the server drops the body).
public struct HTTPRouter: HTTPHandler {
    struct Route: Sendable {
        let method: HTTPMethod
        let pattern: RoutePattern
        let handler: any HTTPHandler
    }

    private var routes: [Route] = []
    private var fallback: (any HTTPHandler)?

    public init() {}

    /// Adds a route. Parameters reach the handler as `request.routeParameters`.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: any HTTPHandler) {
        routes.append(Route(method: method, pattern: RoutePattern(pattern), handler: handler))
    }

    public mutating func add(_ method: HTTPMethod, _ pattern: String,
                             _ body: nonisolated(nonsending) @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        add(method, pattern, ClosureHandler(body))
    }

    /// Who answers when nothing matches (e.g. a static directory); default 404.
    public mutating func setFallback(_ handler: any HTTPHandler) {
        fallback = handler
    }

    nonisolated(nonsending) public func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        switch locate(method: request.method, path: request.path) {
        case let .route(index, parameters):
            // Called in place rather than through a copy of the handler: a copy retains and
            // releases the handler's object, whose reference count every event loop's thread
            // then writes (a contended cache line on each request).
            guard !parameters.isEmpty else { return try await routes[index].handler.handle(request) }
            var request = request
            request.routeParameters = parameters
            return try await routes[index].handler.handle(request)
        case let .methodNotAllowed(allowed):
            var response = HTTPResponse.error(.methodNotAllowed, "\(request.method) is not allowed here")
            response.headers.set("Allow", allowed.map(\.rawValue).joined(separator: ", "))
            return response
        case .notFound:
            if let fallback { return try await fallback.handle(request) }
            return .error(.notFound)
        }
    }

    /// The routing decision, without running anything (tested as a table).
    public enum Resolution: Sendable {
        case matched(any HTTPHandler, [String: String])
        case methodNotAllowed([HTTPMethod])
        case notFound
    }

    public func resolve(method: HTTPMethod, path: some StringProtocol) -> Resolution {
        switch locate(method: method, path: path) {
        case let .route(index, parameters): .matched(routes[index].handler, parameters)
        case let .methodNotAllowed(allowed): .methodNotAllowed(allowed)
        case .notFound: .notFound
        }
    }

    private enum Location {
        case route(Int, [String: String])
        case methodNotAllowed([HTTPMethod])
        case notFound
    }

    private func locate(method: HTTPMethod, path: some StringProtocol) -> Location {
        var allowed: [HTTPMethod] = []
        // By index: iterating by value would copy (retain and release) every route it passes.
        for index in routes.indices {
            guard let parameters = routes[index].pattern.match(path) else { continue }
            let routeMethod = routes[index].method
            if routeMethod == method || (method == .head && routeMethod == .get) {
                return .route(index, parameters)
            }
            if !allowed.contains(routeMethod) { allowed.append(routeMethod) }
        }
        if allowed.isEmpty { return .notFound }
        if allowed.contains(.get) && !allowed.contains(.head) { allowed.append(.head) }
        return .methodNotAllowed(allowed)
    }
}
