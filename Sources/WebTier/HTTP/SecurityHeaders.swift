import HTTPServer

/// Adds the security headers to every response of `inner` (errors included): a CSP that allows
/// only this origin (images also from `blob:`/`data:` for previews; WebSockets to the same host),
/// no MIME sniffing, no framing, no referrer leaks.
public struct SecurityHeaders: HTTPHandler {
    let inner: any HTTPHandler

    public static let fields: [(String, String)] = [
        ("Content-Security-Policy",
         "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
    ]

    public init(_ inner: any HTTPHandler) {
        self.inner = inner
    }

    public func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        var response: HTTPResponse
        do {
            response = try await inner.handle(request)
        } catch let error as any HTTPResponseError {
            response = .error(error.status, error.message)
        }
        guard response.status != .switchingProtocols else { return response }
        for (name, value) in Self.fields where !response.headers.contains(name) {
            response.headers.set(name, value)
        }
        return response
    }
}
