/// Anything that answers requests: routes, static directories, upgrades, the router itself.
///
/// `handle` is `nonisolated(nonsending)`: it runs on its caller's executor, the connection's
/// event loop. A request passes through several handlers (the router, a route, its closure);
/// as plain nonisolated async functions, each call and return asked the task's executor
/// preference (under a lock) whether to hop, only to stay where it was.
public protocol HTTPHandler: Sendable {
    nonisolated(nonsending) func handle(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// A handler from a closure.
public struct ClosureHandler: HTTPHandler {
    let body: nonisolated(nonsending) @Sendable (HTTPRequest) async throws -> HTTPResponse
    public init(_ body: nonisolated(nonsending) @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) { self.body = body }
    nonisolated(nonsending) public func handle(_ request: HTTPRequest) async throws -> HTTPResponse { try await body(request) }
}
