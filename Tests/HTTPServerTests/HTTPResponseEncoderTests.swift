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

    @Test func bodyFollowsTheHeadInOneBuffer() {
        let body = Array("hello".utf8)
        let whole = HTTPResponseEncoder.encodeHead(status: .ok, headers: [:], framing: .contentLength(5),
                                                   closeConnection: true, date: "D", followedBy: body)
        #expect(text(whole) == "HTTP/1.1 200 OK\r\nDate: D\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
    }

    /// The encoder sizes its buffer before writing: long, many and odd pieces must all fit, and
    /// come out exactly as a plain string concatenation would write them.
    @Test func largeAndUnusualHeadsComeOutWhole() {
        var headers = HTTPHeaders()
        for index in 0..<60 { headers.append("X-Field-\(index)", String(repeating: "v", count: 1_000 + index)) }
        headers.append("X-Unicode", "caf\u{e9} \u{1F431}")
        headers.append("X-Bad\r\nName", "a\u{0}b")
        let status = HTTPStatus(code: 599, reasonPhrase: String(repeating: "R", count: 3_000) + "\n")
        let date = String(repeating: "d", count: 500)
        let body = [UInt8](repeating: 0x41, count: 70_000)
        let whole = HTTPResponseEncoder.encodeHead(status: status, headers: headers, framing: .contentLength(Int.max),
                                                   closeConnection: false, date: date, announceKeepAlive: true,
                                                   followedBy: body)
        var expected = "HTTP/1.1 599 " + String(repeating: "R", count: 3_000) + " \r\n"
        for index in 0..<60 { expected += "X-Field-\(index): " + String(repeating: "v", count: 1_000 + index) + "\r\n" }
        expected += "X-Unicode: caf\u{e9} \u{1F431}\r\nX-Bad  Name: a b\r\n"
        expected += "Date: \(date)\r\nContent-Length: \(Int.max)\r\nConnection: keep-alive\r\n\r\n"
        #expect(whole == Array(expected.utf8) + body)
    }

    @Test("status codes are written in decimal, out-of-range ones as 0", arguments: [
        (0, "0"), (-7, "0"), (7, "7"), (10, "10"), (404, "404"), (1_000_000, "1000000"),
    ])
    func statusCodeDigits(_ code: Int, _ digits: String) {
        let head = text(HTTPResponseEncoder.encodeHead(status: HTTPStatus(code: code, reasonPhrase: "X"), headers: [:],
                                                       framing: .noBody, closeConnection: false, date: "D"))
        #expect(head.hasPrefix("HTTP/1.1 \(digits) X\r\n"))
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
