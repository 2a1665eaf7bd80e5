import Testing
@testable import HTTPServer

/// The opening handshake (RFC 6455 §4.2) on header values, no server.
@Suite struct WSHandshakeTests {
    static func headers(_ pairs: [(String, String)]) -> (String) -> [String] {
        { name in pairs.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
    }

    static let valid: [(String, String)] = [
        ("Host", "127.0.0.1"), ("Upgrade", "websocket"), ("Connection", "keep-alive, Upgrade"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13"),
    ]

    @Test("RFC 6455 §1.3 example: dGhlIHNhbXBsZSBub25jZQ== → s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    func acceptKeyExample() throws {
        #expect(WSHandshake.acceptKey(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        let acceptance = try WSHandshake().accept(method: "GET", httpVersion: "HTTP/1.1", headerValues: Self.headers(Self.valid))
        #expect(acceptance.acceptKey == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(acceptance.responseHeaders.contains { $0.name == "Sec-WebSocket-Accept" && $0.value == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" })
        #expect(acceptance.deflate == nil)
    }

    @Test("header names and Upgrade/Connection tokens are case-insensitive")
    func caseInsensitive() throws {
        let pairs = [("upgrade", "WebSocket"), ("CONNECTION", "UPGRADE"),
                     ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="), ("sec-websocket-version", "13")]
        #expect(try WSHandshake().accept(method: "GET", httpVersion: "HTTP/1.1", headerValues: Self.headers(pairs)).acceptKey
                == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test("refusals carry the right status", arguments: [
        ("POST", "HTTP/1.1", "Upgrade", nil as String?, 405),
        ("GET", "HTTP/1.0", "Upgrade", nil, 400),
        ("GET", "HTTP/1.1", "Upgrade", "no-upgrade-header", 400),
        ("GET", "HTTP/1.1", "Connection", "keep-alive", 400),
        ("GET", "HTTP/1.1", "Sec-WebSocket-Version", "8", 426),
        ("GET", "HTTP/1.1", "Sec-WebSocket-Version", "", 426),
        ("GET", "HTTP/1.1", "Sec-WebSocket-Key", "dG9vIHNob3J0", 400),
        ("GET", "HTTP/1.1", "Sec-WebSocket-Key", "not base64!!", 400),
        ("GET", "HTTP/1.1", "Sec-WebSocket-Key", "", 400),
    ])
    func refusals(method: String, version: String, header: String, value: String?, status: Int) {
        var pairs = Self.valid.filter { $0.0 != header }
        if let value, !value.isEmpty, value != "no-upgrade-header" { pairs.append((header, value)) }
        do {
            _ = try WSHandshake().accept(method: method, httpVersion: version, headerValues: Self.headers(pairs))
            Issue.record("accepted a bad handshake (\(header)=\(value ?? "-"))")
        } catch {
            #expect(error.statusCode == status)
        }
    }

    @Test("an unsupported version is answered 426 with Sec-WebSocket-Version: 13")
    func versionHeader() {
        let pairs = Self.valid.filter { $0.0 != "Sec-WebSocket-Version" } + [("Sec-WebSocket-Version", "8")]
        #expect(throws: WSHandshakeError.unsupportedVersion("8")) {
            try WSHandshake().accept(method: "GET", httpVersion: "HTTP/1.1", headerValues: Self.headers(pairs))
        }
        #expect(WSHandshakeError.unsupportedVersion("8").responseHeaders.map(\.value) == ["13"])
    }

    @Test("the origin hook refuses unknown pages with 403 and lets non-browser clients in")
    func originHook() throws {
        let handshake = WSHandshake(options: .init(originPolicy: WSHandshake.Options.allowingOrigins(["http://127.0.0.1:8080"])))
        #expect(throws: WSHandshakeError.originRejected("http://evil.example")) {
            try handshake.accept(method: "GET", httpVersion: "HTTP/1.1",
                                 headerValues: Self.headers(Self.valid + [("Origin", "http://evil.example")]))
        }
        _ = try handshake.accept(method: "GET", httpVersion: "HTTP/1.1",
                                 headerValues: Self.headers(Self.valid + [("Origin", "http://127.0.0.1:8080")]))
        _ = try handshake.accept(method: "GET", httpVersion: "HTTP/1.1", headerValues: Self.headers(Self.valid))
        #expect(WSHandshakeError.originRejected("x").statusCode == 403)
    }

    @Test("the first of our subprotocols the client offers is selected; none offered → none")
    func subprotocols() throws {
        let handshake = WSHandshake(options: .init(subprotocols: ["results.v2", "results.v1"]))
        let offered = Self.valid + [("Sec-WebSocket-Protocol", "chat, results.v1"), ("Sec-WebSocket-Protocol", "results.v2")]
        #expect(try handshake.accept(method: "GET", httpVersion: "HTTP/1.1", headerValues: Self.headers(offered)).subprotocol == "results.v2")
        let other = Self.valid + [("Sec-WebSocket-Protocol", "chat")]
        let acceptance = try handshake.accept(method: "GET", httpVersion: "HTTP/1.1", headerValues: Self.headers(other))
        #expect(acceptance.subprotocol == nil)
        #expect(!acceptance.responseHeaders.contains { $0.name == "Sec-WebSocket-Protocol" })
    }
}
