import HTTPServer

/// `POST /api/session` with `Authorization: Bearer <token>`: checks the upload token and answers
/// 204 with the `upload_token` cookie, so this browser's WebSockets (`/ws/fleet` first) are
/// authorised at once instead of after its first upload. The cookie is HttpOnly, so only the
/// server can set it. 401 for a wrong or missing token; 204 without a cookie when no token is
/// configured (nothing to authorise).
struct SessionRoute: HTTPHandler {
    let authorization: UploadAuthorization

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard authorization.allows(request.headers) else { return WebContext.unauthorized }
        var response = HTTPResponse(status: .noContent)
        response.headers.set("Cache-Control", "no-store")
        if let cookie = authorization.cookie() { response.headers.set("Set-Cookie", cookie) }
        return response
    }
}
