import Testing
@testable import HTTPServer

@Suite struct HTTPResponseEncoderTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func headWithContentLength() {
        let head = HTTPResponseEncoder.encodeHead(status: .ok, headers: ["Content-Type": "text/plain"],
                                                  framing: .contentLength(5), closeConnection: false, date: "D")
        #expect(text(head) == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: D\r\nContent-Length: 5\r\n\r\n")
    }

    @Test func serverOwnsFramingHeaders() {
        let head = text(HTTPResponseEncoder.encodeHead(
            status: .ok, headers: ["Content-Length": "999", "Transfer-Encoding": "gzip", "Connection": "keep-alive"],
            framing: .chunked, closeConnection: true, date: "D"))
        #expect(!head.contains("999") && !head.contains("gzip") && !head.contains("keep-alive"))
        #expect(head.contains("Transfer-Encoding: chunked\r\n"))
        #expect(head.contains("Connection: close\r\n"))
    }

    @Test func headerInjectionIsNeutralised() {
        let head = text(HTTPResponseEncoder.encodeHead(status: .ok, headers: ["X-Name": "a\r\nSet-Cookie: evil=1"],
                                                       framing: .noBody, closeConnection: false, date: "D"))
        #expect(head.contains("X-Name: a  Set-Cookie: evil=1\r\n"))
        #expect(!head.contains("\r\nSet-Cookie"))
    }

    @Test func chunkFraming() {
        #expect(text(HTTPResponseEncoder.encodeChunk(Array("hello world, hello!".utf8))) == "13\r\nhello world, hello!\r\n")
        #expect(HTTPResponseEncoder.encodeChunk([]).isEmpty)
        #expect(text(HTTPResponseEncoder.lastChunk) == "0\r\n\r\n")
    }

    @Test func imfFixdateRoundTrips() {
        #expect(HTTPDate.format(secondsSinceEpoch: 784111777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(HTTPDate.parse("garbage") == nil)
    }

    @Test("status codes map to reason phrases and body rules", arguments: [
        (100, false), (101, false), (200, true), (204, false), (304, false), (404, true), (503, true),
    ])
    func bodyRules(_ code: Int, _ allowsBody: Bool) {
        #expect(HTTPStatus(code).allowsBody == allowsBody)
        #expect(HTTPStatus(code).reasonPhrase != "Status \(code)")
    }
}
