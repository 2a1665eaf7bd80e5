import Testing
@testable import HTTPServer

/// Runs a decoder over `input` fed in pieces of `pieceSize`, collecting events until an error.
func decode(_ input: String, pieceSize: Int = .max, limits: HTTPRequestDecoder.Limits = .init())
    -> (events: [HTTPRequestDecoder.Event], error: HTTPDecodingError?) {
    var decoder = HTTPRequestDecoder(limits: limits)
    var events: [HTTPRequestDecoder.Event] = []
    let bytes = Array(input.utf8)
    var offset = 0
    repeat {
        let end = min(bytes.count, offset + min(pieceSize, bytes.count - offset))
        decoder.append(bytes[offset..<end])
        offset = end
        do {
            while let event = try decoder.next() { events.append(event) }
        } catch {
            return (events, error)
        }
    } while offset < bytes.count
    return (events, nil)
}

/// Body events merged, so tests compare content regardless of how it was split.
func merged(_ events: [HTTPRequestDecoder.Event]) -> [HTTPRequestDecoder.Event] {
    var result: [HTTPRequestDecoder.Event] = []
    for event in events {
        if case let .body(bytes) = event, case let .body(previous)? = result.last {
            result[result.count - 1] = .body(previous + bytes)
        } else {
            result.append(event)
        }
    }
    return result
}

func heads(_ events: [HTTPRequestDecoder.Event]) -> [HTTPRequestHead] {
    events.compactMap { if case let .head(head) = $0 { head } else { nil } }
}

@Suite struct HTTPRequestDecoderTests {
    @Test("a simple GET decodes to head + end, whatever the split", arguments: [1, 2, 3, 7, 64, Int.max])
    func simpleGet(pieceSize: Int) throws {
        let (events, error) = decode("GET /a/b?x=1 HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n", pieceSize: pieceSize)
        #expect(error == nil)
        #expect(events.count == 2)
        let head = try #require(heads(events).first)
        #expect(head.method == .get)
        #expect(head.target == "/a/b?x=1")
        #expect(head.path == "/a/b")
        #expect(head.query == "x=1")
        #expect(head.headers["host"] == "example")
        #expect(head.framing == .none)
        #expect(head.keepAlive)
        #expect(events.last == .end)
    }

    @Test("Content-Length body arrives whole across any split", arguments: [1, 5, Int.max])
    func contentLengthBody(pieceSize: Int) {
        let (events, error) = decode("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world", pieceSize: pieceSize)
        #expect(error == nil)
        let result = merged(events)
        #expect(result.count == 3)
        #expect(result[1] == .body(Array("hello world".utf8)))
        #expect(result[2] == .end)
    }

    @Test("chunked body with extensions and trailers", arguments: [1, 3, Int.max])
    func chunkedBody(pieceSize: Int) {
        let input = "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
        let (events, error) = decode(input, pieceSize: pieceSize)
        #expect(error == nil)
        let result = merged(events)
        #expect(heads(result).first?.framing == .chunked)
        #expect(result.dropFirst().first == .body(Array("hello world".utf8)))
        #expect(result.last == .end)
    }

    @Test func pipelinedRequestsDecodeInOrder() {
        let input = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: h\r\n\r\n"
        let (events, error) = decode(input)
        #expect(error == nil)
        #expect(heads(events).map(\.target) == ["/1", "/2", "/3"])
        #expect(events.filter { $0 == .end }.count == 3)
    }

    @Test func expectContinueAndConnectionTokens() {
        let (events, _) = decode("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\nConnection: close\r\n\r\n")
        let head = heads(events).first
        #expect(head?.expectsContinue == true)
        #expect(head?.keepAlive == false)
        let (events10, _) = decode("GET / HTTP/1.0\r\n\r\n")
        #expect(heads(events10).first?.keepAlive == false)
        let (events10ka, _) = decode("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
        #expect(heads(events10ka).first?.keepAlive == true)
    }

    @Test func leadingEmptyLineIsIgnored() {
        let (events, error) = decode("\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(error == nil)
        #expect(heads(events).count == 1)
    }

    @Test func unconsumedBytesAreHandedOver() throws {
        var decoder = HTTPRequestDecoder()
        decoder.append(Array("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n\u{81}\u{05}".utf8))
        _ = try decoder.next()
        _ = try decoder.next()
        #expect(decoder.takeUnconsumedBytes() == [0xC2, 0x81, 0x05]) // U+0081 is two UTF-8 bytes
    }

    @Test func errorIsSticky() {
        var decoder = HTTPRequestDecoder()
        decoder.append(Array("GET / HTTP/1.1\nHost: h\r\n\r\n".utf8))
        #expect(throws: HTTPDecodingError.bareLineFeed) { try decoder.next() }
        #expect(throws: HTTPDecodingError.bareLineFeed) { try decoder.next() }
    }

    struct HostileCase: CustomTestStringConvertible, Sendable {
        let name: String
        let input: String
        let error: HTTPDecodingError
        let status: Int
        var testDescription: String { name }
    }

    static let long = String(repeating: "a", count: 9000)
    static let manyHeaders = (0..<101).map { "X-\($0): v\r\n" }.joined()
    static let hugeHeader = "X-Big: " + String(repeating: "b", count: 70_000) + "\r\n"

    static let hostileCases: [HostileCase] = [
        .init(name: "request line over 8 KiB", input: "GET /\(long) HTTP/1.1\r\nHost: h\r\n\r\n",
              error: .requestLineTooLong(limit: 8192), status: 414),
        .init(name: "request line over 8 KiB without newline yet", input: "GET /\(long)",
              error: .requestLineTooLong(limit: 8192), status: 414),
        .init(name: "101 header fields", input: "GET / HTTP/1.1\r\nHost: h\r\n\(manyHeaders)\r\n",
              error: .tooManyHeaderFields(limit: 100), status: 431),
        .init(name: "header section over 64 KiB", input: "GET / HTTP/1.1\r\nHost: h\r\n\(hugeHeader)\r\n",
              error: .headerSectionTooLarge(limit: 65536), status: 431),
        .init(name: "Content-Length and Transfer-Encoding",
              input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
              error: .contentLengthWithTransferEncoding, status: 400),
        .init(name: "Transfer-Encoding then Content-Length",
              input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
              error: .contentLengthWithTransferEncoding, status: 400),
        // RFC 9112 §6.1: HTTP/1.0 has no chunked coding; a server that took it would read the
        // body differently from an HTTP/1.0 proxy in front of it (request smuggling).
        .init(name: "HTTP/1.0 with chunked", input: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
              error: .transferEncodingInHTTP10, status: 400),
        .init(name: "HTTP/1.0 with chunked and Content-Length",
              input: "POST / HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello",
              error: .transferEncodingInHTTP10, status: 400),
        .init(name: "differing duplicate Content-Length",
              input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
              error: .conflictingContentLength, status: 400),
        .init(name: "differing Content-Length list", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\n",
              error: .conflictingContentLength, status: 400),
        .init(name: "signed Content-Length", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n",
              error: .invalidContentLength, status: 400),
        .init(name: "negative Content-Length", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
              error: .invalidContentLength, status: 400),
        .init(name: "hex Content-Length", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n",
              error: .invalidContentLength, status: 400),
        .init(name: "overflowing Content-Length",
              input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n",
              error: .invalidContentLength, status: 400),
        .init(name: "Content-Length over the body limit", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000000\r\n\r\n",
              error: .bodyTooLarge(limit: 1 << 30), status: 413),
        .init(name: "obsolete line folding", input: "GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n",
              error: .obsoleteLineFolding, status: 400),
        .init(name: "folded Transfer-Encoding", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n chunked\r\n\r\n",
              error: .obsoleteLineFolding, status: 400),
        .init(name: "whitespace before colon", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n",
              error: .whitespaceBeforeColon, status: 400),
        .init(name: "tab before colon", input: "GET / HTTP/1.1\r\nHost\t: h\r\n\r\n",
              error: .whitespaceBeforeColon, status: 400),
        .init(name: "bare LF in request line", input: "GET / HTTP/1.1\nHost: h\r\n\r\n", error: .bareLineFeed, status: 400),
        .init(name: "bare LF ending headers", input: "GET / HTTP/1.1\r\nHost: h\n\n", error: .bareLineFeed, status: 400),
        .init(name: "bare LF in chunk size", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
              error: .bareLineFeed, status: 400),
        .init(name: "Transfer-Encoding gzip", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
              error: .unsupportedTransferEncoding("gzip"), status: 501),
        .init(name: "Transfer-Encoding gzip, chunked",
              input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
              error: .unsupportedTransferEncoding("gzip, chunked"), status: 501),
        .init(name: "Transfer-Encoding chunked twice",
              input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
              error: .unsupportedTransferEncoding("chunked, chunked"), status: 501),
        .init(name: "Transfer-Encoding identity", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n",
              error: .unsupportedTransferEncoding("identity"), status: 501),
        .init(name: "Transfer-Encoding with a vertical tab",
              input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \u{0B}chunked\r\n\r\n",
              error: .invalidHeaderValue(name: "Transfer-Encoding"), status: 400),
        .init(name: "non-hex chunk size",
              input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", error: .invalidChunkSize, status: 400),
        .init(name: "empty chunk size", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
              error: .invalidChunkSize, status: 400),
        .init(name: "negative chunk size", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n",
              error: .invalidChunkSize, status: 400),
        .init(name: "chunk size 0x prefix", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\n",
              error: .invalidChunkSize, status: 400),
        .init(name: "overflowing chunk size",
              input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF1\r\n",
              error: .invalidChunkSize, status: 400),
        .init(name: "chunk size over the body limit",
              input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFF\r\n",
              error: .bodyTooLarge(limit: 1 << 30), status: 413),
        .init(name: "chunk size with trailing garbage",
              input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n", error: .invalidChunkSize, status: 400),
        .init(name: "chunk extension abuse",
              input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;" + String(repeating: "e", count: 400) + "\r\n",
              error: .chunkExtensionTooLong(limit: 256), status: 400),
        .init(name: "chunk extension never ending",
              input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;" + String(repeating: "e", count: 4000),
              error: .chunkExtensionTooLong(limit: 256), status: 400),
        .init(name: "chunk data longer than its size",
              input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n",
              error: .invalidChunkTerminator, status: 400),
        .init(name: "missing Host in HTTP/1.1", input: "GET / HTTP/1.1\r\n\r\n", error: .missingHost, status: 400),
        .init(name: "two Host fields", input: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", error: .multipleHosts, status: 400),
        .init(name: "HTTP/2.0", input: "GET / HTTP/2.0\r\nHost: h\r\n\r\n", error: .unsupportedVersion("HTTP/2.0"), status: 505),
        .init(name: "HTTP/0.9 style", input: "GET /\r\n\r\n", error: .malformedRequestLine, status: 400),
        .init(name: "garbage version", input: "GET / HTTQ/1.1\r\nHost: h\r\n\r\n", error: .malformedRequestLine, status: 400),
        .init(name: "unknown method", input: "BREW / HTTP/1.1\r\nHost: h\r\n\r\n", error: .unsupportedMethod("BREW"), status: 501),
        .init(name: "TRACE", input: "TRACE / HTTP/1.1\r\nHost: h\r\n\r\n", error: .unsupportedMethod("TRACE"), status: 501),
        .init(name: "method with invalid byte", input: "G@T / HTTP/1.1\r\nHost: h\r\n\r\n", error: .invalidMethod, status: 400),
        .init(name: "double space in request line", input: "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", error: .malformedRequestLine, status: 400),
        .init(name: "absolute-form target", input: "GET http://evil/ HTTP/1.1\r\nHost: h\r\n\r\n", error: .invalidTarget, status: 400),
        .init(name: "target with control byte", input: "GET /a\u{01}b HTTP/1.1\r\nHost: h\r\n\r\n", error: .invalidTarget, status: 400),
        .init(name: "NUL in header value", input: "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u{00}b\r\n\r\n",
              error: .invalidHeaderValue(name: "X-A"), status: 400),
        .init(name: "header without colon", input: "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", error: .invalidHeaderName, status: 400),
        .init(name: "empty header name", input: "GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", error: .invalidHeaderName, status: 400),
        .init(name: "header name with slash", input: "GET / HTTP/1.1\r\nHost: h\r\nX/Y: v\r\n\r\n", error: .invalidHeaderName, status: 400),
        .init(name: "POST without length", input: "POST / HTTP/1.1\r\nHost: h\r\n\r\n", error: .lengthRequired, status: 411),
        .init(name: "many blank lines before request", input: "\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n", error: .malformedRequestLine, status: 400),
    ]

    @Test("hostile requests are refused with the right status", arguments: hostileCases)
    func hostile(_ hostile: HostileCase) {
        for pieceSize in [1, 13, Int.max] {
            let (_, error) = decode(hostile.input, pieceSize: pieceSize)
            #expect(error == hostile.error, "split \(pieceSize)")
            #expect(error?.status.code == hostile.status)
        }
    }

    @Test func identicalDuplicateContentLengthIsAccepted() {
        let (events, error) = decode("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc")
        #expect(error == nil)
        #expect(heads(events).first?.framing == .contentLength(3))
    }

    @Test func chunkedBodyLimitCountsAllChunks() {
        var limits = HTTPRequestDecoder.Limits()
        limits.maxBodyBytes = 8
        let input = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n"
        #expect(decode(input, limits: limits).error == .bodyTooLarge(limit: 8))
    }

    @Test func limitsAreConfigurable() {
        var limits = HTTPRequestDecoder.Limits()
        limits.maxRequestLineBytes = 20
        #expect(decode("GET /0123456789012345 HTTP/1.1\r\nHost: h\r\n\r\n", limits: limits).error == .requestLineTooLong(limit: 20))
        #expect(decode("GET /0 HTTP/1.1\r\nHost: h\r\n\r\n", limits: limits).error == nil)
    }
}
