import Testing
@testable import HTTPServer

@Suite struct HTTPRouterTests {
    static func makeRouter() -> HTTPRouter {
        var router = HTTPRouter()
        router.add(.get, "/") { _ in .text("root") }
        router.add(.get, "/api/jobs") { _ in .text("list") }
        router.add(.post, "/api/jobs") { _ in .text("create") }
        router.add(.get, "/api/jobs/:id") { request in .text("job \(request.routeParameters["id"]!)") }
        router.add(.delete, "/api/jobs/:id") { request in .text("delete \(request.routeParameters["id"]!)") }
        router.add(.get, "/api/jobs/:id/results/:imageId") { request in
            .text("result \(request.routeParameters["id"]!) \(request.routeParameters["imageId"]!)")
        }
        router.add(.get, "/files/*") { request in .text("file \(request.routeParameters["*"]!)") }
        return router
    }

    struct RouteCase: Sendable, CustomTestStringConvertible {
        let method: HTTPMethod
        let target: String
        let status: Int
        let body: String?
        let allow: String?
        var testDescription: String { "\(method) \(target)" }
    }

    @Test("routing by method and path", arguments: [
        RouteCase(method: .get, target: "/", status: 200, body: "root", allow: nil),
        RouteCase(method: .get, target: "/api/jobs", status: 200, body: "list", allow: nil),
        RouteCase(method: .get, target: "/api/jobs/", status: 200, body: "list", allow: nil),
        RouteCase(method: .post, target: "/api/jobs", status: 200, body: "create", allow: nil),
        RouteCase(method: .get, target: "/api/jobs/42?verbose=1", status: 200, body: "job 42", allow: nil),
        RouteCase(method: .get, target: "/api/jobs/a%20b", status: 200, body: "job a b", allow: nil),
        RouteCase(method: .head, target: "/api/jobs/42", status: 200, body: "job 42", allow: nil),
        RouteCase(method: .delete, target: "/api/jobs/7", status: 200, body: "delete 7", allow: nil),
        RouteCase(method: .get, target: "/api/jobs/7/results/x1", status: 200, body: "result 7 x1", allow: nil),
        RouteCase(method: .get, target: "/files/a/b/c.txt", status: 200, body: "file a/b/c.txt", allow: nil),
        RouteCase(method: .put, target: "/api/jobs/42", status: 405, body: nil, allow: "GET, DELETE, HEAD"),
        RouteCase(method: .delete, target: "/api/jobs", status: 405, body: nil, allow: "GET, POST, HEAD"),
        RouteCase(method: .get, target: "/api/job", status: 404, body: nil, allow: nil),
        RouteCase(method: .get, target: "/api/jobs/42/extra", status: 404, body: nil, allow: nil),
        RouteCase(method: .get, target: "/api/jobs/a%2Fb", status: 404, body: nil, allow: nil),
        RouteCase(method: .get, target: "/api/jobs/a%00b", status: 404, body: nil, allow: nil),
        RouteCase(method: .get, target: "/api/jobs/%zz", status: 404, body: nil, allow: nil),
    ])
    func route(_ testCase: RouteCase) async throws {
        let request = HTTPRequest(head: HTTPRequestHead(method: testCase.method, target: testCase.target, headers: ["Host": "h"]))
        let response = try await Self.makeRouter().handle(request)
        #expect(response.status.code == testCase.status)
        if let body = testCase.body, case let .bytes(bytes) = response.body {
            #expect(String(decoding: bytes, as: UTF8.self) == body)
        }
        #expect(response.headers["Allow"] == testCase.allow)
    }

    @Test func fallbackAnswersUnmatchedPaths() async throws {
        var router = HTTPRouter()
        router.add(.get, "/a") { _ in .text("a") }
        router.setFallback(ClosureHandler { _ in .text("fallback", status: .accepted) })
        let response = try await router.handle(HTTPRequest(head: HTTPRequestHead(method: .get, target: "/zzz")))
        #expect(response.status == .accepted)
    }
}
