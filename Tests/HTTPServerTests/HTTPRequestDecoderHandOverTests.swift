import Testing
@testable import HTTPServer

/// Arrays appended whole are adopted, and a body that fills the buffer is handed back out without
/// a copy: the events must be exactly those of the copying path, whatever the split.
@Suite struct HTTPRequestDecoderHandOverTests {
    /// Like `decode`, but appends each piece as its own `[UInt8]` (the socket's case).
    static func decodeArrays(_ input: [UInt8], pieceSize: Int) -> (events: [HTTPRequestDecoder.Event], error: HTTPDecodingError?) {
        var decoder = HTTPRequestDecoder()
        var events: [HTTPRequestDecoder.Event] = []
        var offset = 0
        repeat {
            let end = min(input.count, offset + min(pieceSize, input.count - offset))
            decoder.append(Array(input[offset..<end]))
            offset = end
            do {
                while let event = try decoder.next() { events.append(event) }
            } catch {
                return (events, error)
            }
        } while offset < input.count
        return (events, nil)
    }

    static let body = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    static let input: [UInt8] = Array("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n".utf8) + body
        + Array("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".utf8)
        + Array("GET /3 HTTP/1.1\r\nHost: h\r\n\r\n".utf8)

    @Test("a fixed-length body, a chunked one and a pipelined GET decode the same fed as arrays of any size",
          arguments: [1, 13, 52, 1000, 5052, 5053, Int.max])
    func sameEventsAsCopying(pieceSize: Int) {
        let (events, error) = Self.decodeArrays(Self.input, pieceSize: pieceSize)
        #expect(error == nil)
        let result = merged(events)
        #expect(heads(result).map(\.target) == ["/u", "/c", "/3"])
        #expect(result.count == 8, "\(result.count) events")
        #expect(result[1] == .body(Self.body))
        #expect(result[2] == .end)
        #expect(result[4] == .body(Array("hello".utf8)))
        #expect(result.filter { $0 == .end }.count == 3)
        let total = events.reduce(0) { if case let .body(bytes) = $1 { $0 + bytes.count } else { $0 } }
        #expect(total == Self.body.count + 5, "no body byte delivered twice or lost")
    }

    @Test("a body array handed over whole is not shared with what the decoder keeps")
    func handedOverArrayIsIndependent() throws {
        var decoder = HTTPRequestDecoder()
        decoder.append(Array("PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\n".utf8))
        #expect(try decoder.next().map { heads([$0]).first?.target } == "/x")
        decoder.append([1, 2, 3])
        let first = try decoder.next()
        #expect(first == .body([1, 2, 3]))
        decoder.append([4, 5, 6] + Array("GET /n HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        #expect(try decoder.next() == .body([4, 5, 6]))
        #expect(try decoder.next() == .end)
        #expect(try decoder.next().map { heads([$0]).first?.target } == "/n")
        #expect(first == .body([1, 2, 3]), "the first piece is unchanged by later appends")
    }
}
