/// Writes response heads and chunk framing. Pure: bytes out, no socket.
public enum HTTPResponseEncoder {
    /// How the body of a response is delimited on the wire.
    public enum Framing: Sendable, Equatable {
        /// No body may follow (1xx, 204, 304) and none is announced.
        case noBody
        case contentLength(Int)
        case chunked
        /// HTTP/1.0 streaming: the body ends when the connection closes.
        case untilClose
    }

    /// The status line and header section, ending with the empty line.
    ///
    /// The server owns framing: handler-set `Content-Length`, `Transfer-Encoding` and `Connection`
    /// are replaced, and CR/LF in values become spaces so a handler cannot inject header lines.
    public static func encodeHead(status: HTTPStatus, headers: HTTPHeaders, framing: Framing,
                                  closeConnection: Bool, date: String) -> [UInt8] {
        var text = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        var hasDate = false
        let isUpgrade = status == .switchingProtocols
        for (name, value) in headers {
            if name.caseInsensitiveEquals("Content-Length") || name.caseInsensitiveEquals("Transfer-Encoding") { continue }
            if name.caseInsensitiveEquals("Connection") && !isUpgrade { continue }
            if name.caseInsensitiveEquals("Date") { hasDate = true }
            text += "\(sanitized(name)): \(sanitized(value))\r\n"
        }
        if !hasDate { text += "Date: \(date)\r\n" }
        switch framing {
        case .noBody, .untilClose: break
        case let .contentLength(length): text += "Content-Length: \(length)\r\n"
        case .chunked: text += "Transfer-Encoding: chunked\r\n"
        }
        if closeConnection && !isUpgrade { text += "Connection: close\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// One chunk of a chunked body (RFC 9112 §7.1); empty input encodes nothing, since an empty
    /// chunk would end the body.
    public static func encodeChunk(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        var framed = Array(String(bytes.count, radix: 16).utf8)
        framed.reserveCapacity(framed.count + bytes.count + 4)
        framed += [0x0D, 0x0A]
        framed += bytes
        framed += [0x0D, 0x0A]
        return framed
    }

    /// The last chunk and an empty trailer section.
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// The interim response sent when the handler starts reading an `Expect: 100-continue` body.
    public static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private static func sanitized(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else { return text }
        return String(decoding: text.utf8.map { $0 == 0x0D || $0 == 0x0A || $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }
}
