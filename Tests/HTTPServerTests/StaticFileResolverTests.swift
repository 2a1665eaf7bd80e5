import Glibc
import Testing
@testable import HTTPServer

/// A temporary tree: root/{index.html, css/site.css, sub/index.html, link-out -> outside, link-in -> css/site.css}
/// and outside/secret.txt beside the root.
struct StaticTree {
    let base: String
    var root: String { base + "/root" }

    init() {
        var template = Array("/tmp/static-test-XXXXXX".utf8CString)
        base = String(cString: mkdtemp(&template)!)
        for directory in ["/root", "/root/css", "/root/sub", "/root/empty", "/outside"] { mkdir(base + directory, 0o755) }
        write("/root/index.html", "<h1>home</h1>")
        write("/root/css/site.css", "body{}")
        write("/root/sub/index.html", "sub")
        write("/root/file with space.txt", "spaced")
        write("/outside/secret.txt", "secret")
        symlink(base + "/outside", base + "/root/link-out")
        symlink(base + "/outside/secret.txt", base + "/root/secret-link.txt")
        symlink("css/site.css", base + "/root/link-in.css")
    }

    func write(_ path: String, _ text: String) {
        let fd = open(base + path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

@Suite struct StaticFileResolverTests {
    static let tree = StaticTree()

    enum Outcome: Sendable, Equatable { case file(String), notFound, badRequest }

    @Test("request paths resolve inside the root or not at all", arguments: [
        ("/", Outcome.file("/index.html")),
        ("/index.html", .file("/index.html")),
        ("/css/site.css", .file("/css/site.css")),
        ("/css//site.css", .file("/css/site.css")),
        ("/./css/./site.css", .file("/css/site.css")),
        ("/sub", .file("/sub/index.html")),
        ("/sub/", .file("/sub/index.html")),
        ("/file%20with%20space.txt", .file("/file with space.txt")),
        ("/link-in.css", .file("/css/site.css")),
        ("/missing.html", .notFound),
        ("/empty", .notFound),
        ("/../outside/secret.txt", .notFound),
        ("/css/../../outside/secret.txt", .notFound),
        ("/%2e%2e/outside/secret.txt", .notFound),
        ("/%2E%2E/%2E%2E/etc/passwd", .notFound),
        ("/..%2foutside%2fsecret.txt", .badRequest),
        ("/css%2fsite.css", .badRequest),
        ("/..%5coutside%5csecret.txt", .badRequest),
        ("/index.html%00.png", .badRequest),
        ("/index.html%0a", .badRequest),
        ("/bad%zzescape", .badRequest),
        ("/%", .badRequest),
        ("/link-out/secret.txt", .notFound),
        ("/secret-link.txt", .notFound),
        ("/%ff%fe", .badRequest),
    ])
    func resolve(_ path: String, _ expected: Outcome) throws {
        let resolver = try #require(StaticFileResolver(root: Self.tree.root))
        let outcome: Outcome = switch resolver.resolve(path) {
        case let .file(filePath, _, _): .file(String(filePath.dropFirst(resolver.root.count)))
        case .notFound: .notFound
        case .badRequest: .badRequest
        }
        #expect(outcome == expected)
    }

    @Test func missingRootIsRefused() {
        #expect(StaticFileResolver(root: "/definitely/not/here") == nil)
        #expect(StaticFileResolver(root: Self.tree.root + "/index.html") == nil)
    }

    @Test func handlerServesTypesValidatorsAnd304() async throws {
        let handler = try #require(StaticDirectoryHandler(root: Self.tree.root, mountPath: "/static"))
        let ok = try await handler.handle(HTTPRequest(head: HTTPRequestHead(method: .get, target: "/static/css/site.css")))
        #expect(ok.status == .ok)
        #expect(ok.headers["Content-Type"] == "text/css; charset=utf-8")
        let etag = try #require(ok.headers["ETag"])
        let lastModified = try #require(ok.headers["Last-Modified"])
        guard case let .bytes(contents) = ok.body else {
            Issue.record("a small file is served from memory")
            return
        }
        #expect(contents == Array("body{}".utf8))

        for conditional in [["If-None-Match": etag], ["If-None-Match": "\"other\", W/\(etag)"], ["If-Modified-Since": lastModified]] as [HTTPHeaders] {
            let request = HTTPRequest(head: HTTPRequestHead(method: .get, target: "/static/css/site.css", headers: conditional))
            #expect(try await handler.handle(request).status == .notModified)
        }
        let stale = HTTPRequest(head: HTTPRequestHead(method: .get, target: "/static/css/site.css",
                                                      headers: ["If-None-Match": "\"nope\"", "If-Modified-Since": lastModified]))
        #expect(try await handler.handle(stale).status == .ok, "If-None-Match wins over If-Modified-Since")
        let post = try await handler.handle(HTTPRequest(head: HTTPRequestHead(method: .post, target: "/static/index.html")))
        #expect(post.status == .methodNotAllowed)
        #expect(post.headers["Allow"] == "GET, HEAD")
        let escape = try await handler.handle(HTTPRequest(head: HTTPRequestHead(method: .get, target: "/static/%2e%2e/outside/secret.txt")))
        #expect(escape.status == .notFound)
    }

    @Test func changedFilesAreServedAfterTheCacheLifetime() async throws {
        let tree = StaticTree()
        let handler = try #require(StaticDirectoryHandler(root: tree.root, cacheLifetime: .milliseconds(100)))
        let request = HTTPRequest(head: HTTPRequestHead(method: .get, target: "/css/site.css"))
        guard case let .bytes(before) = try await handler.handle(request).body else {
            Issue.record("a cached small file is served from bytes")
            return
        }
        tree.write("/root/css/site.css", "body{color:red}")
        try await Task.sleep(for: .milliseconds(300))
        guard case let .bytes(after) = try await handler.handle(request).body else {
            Issue.record("the changed file is served from bytes")
            return
        }
        #expect(before == Array("body{}".utf8))
        #expect(after == Array("body{color:red}".utf8))
        unlink(tree.root + "/css/site.css")
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await handler.handle(request).status == .notFound)
    }

    @Test func largeFilesAreStreamedFromDisk() async throws {
        let tree = StaticTree()
        tree.write("/root/big.bin", String(repeating: "z", count: 200_000))
        let handler = try #require(StaticDirectoryHandler(root: tree.root))
        let response = try await handler.handle(HTTPRequest(head: HTTPRequestHead(method: .get, target: "/big.bin")))
        guard case let .file(path, size) = response.body else {
            Issue.record("expected a streamed file body")
            return
        }
        #expect(path.hasSuffix("/big.bin") && size == 200_000)
    }

    @Test("MIME types by extension", arguments: [
        ("a.html", "text/html; charset=utf-8"), ("a.JPG", "image/jpeg"), ("a.js", "text/javascript; charset=utf-8"),
        ("a.tar.gz", "application/octet-stream"), ("noext", "application/octet-stream"), ("dir.d/file", "application/octet-stream"),
    ])
    func mimeTypes(_ path: String, _ type: String) {
        #expect(MIMETypes.type(forPath: path) == type)
    }
}
