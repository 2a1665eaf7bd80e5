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

    /// The status line and header section, ending with the empty line. `announceKeepAlive` adds
    /// `Connection: keep-alive` (for HTTP/1.0 clients that asked for it).
    ///
    /// The server owns framing: handler-set `Content-Length`, `Transfer-Encoding` and `Connection`
    /// are replaced, and CR/LF in values become spaces so a handler cannot inject header lines.
    /// `reservingBody`: room to leave for a body the caller appends, so appending it does not
    /// reallocate and copy the head.
    public static func encodeHead(status: HTTPStatus, headers: HTTPHeaders, framing: Framing,
                                  closeConnection: Bool, date: String, announceKeepAlive: Bool = false,
                                  reservingBody: Int = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + headers.count * 48 + reservingBody)
        if status.code == 200 && status.reasonPhrase == "OK" {
            append("HTTP/1.1 200 OK\r\n", to: &bytes)
        } else {
            append("HTTP/1.1 ", to: &bytes)
            appendDecimal(status.code, to: &bytes)
            bytes.append(0x20)
            appendSanitized(status.reasonPhrase, to: &bytes)
            append("\r\n", to: &bytes)
        }
        var hasDate = false
        let isUpgrade = status.code == 101
        for (name, value) in headers {
            // Only names starting with c/t/d can be ones the server owns; skip the compares otherwise.
            switch name.utf8.first.map({ $0 | 0x20 }) {
            case UInt8(ascii: "c"):
                if name.caseInsensitiveEquals("Content-Length") { continue }
                if name.caseInsensitiveEquals("Connection") && !isUpgrade { continue }
            case UInt8(ascii: "t"):
                if name.caseInsensitiveEquals("Transfer-Encoding") { continue }
            case UInt8(ascii: "d"):
                if name.caseInsensitiveEquals("Date") { hasDate = true }
            default:
                break
            }
            appendSanitized(name, to: &bytes)
            append(": ", to: &bytes)
            appendSanitized(value, to: &bytes)
            append("\r\n", to: &bytes)
        }
        if !hasDate {
            append("Date: ", to: &bytes)
            var date = date
            date.withUTF8 { bytes.append(contentsOf: $0) }
            append("\r\n", to: &bytes)
        }
        switch framing {
        case .noBody, .untilClose: break
        case let .contentLength(length):
            append("Content-Length: ", to: &bytes)
            appendDecimal(length, to: &bytes)
            append("\r\n", to: &bytes)
        case .chunked: append("Transfer-Encoding: chunked\r\n", to: &bytes)
        }
        if closeConnection && !isUpgrade {
            append("Connection: close\r\n", to: &bytes)
        } else if announceKeepAlive {
            // HTTP/1.0 clients close unless the response says otherwise (RFC 9112 §9.3).
            append("Connection: keep-alive\r\n", to: &bytes)
        }
        append("\r\n", to: &bytes)
        return bytes
    }

    /// A literal's bytes, straight from the binary: no array to retain, no string view to walk.
    private static func append(_ literal: StaticString, to bytes: inout [UInt8]) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// CR, LF and NUL become spaces so a handler cannot inject header lines.
    private static func appendSanitized(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            // Nearly always clean: then one bulk copy instead of a test and an append per byte.
            if !utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                bytes.append(byte == 0x0D || byte == 0x0A || byte == 0 ? 0x20 : byte)
            }
        }
    }

    /// A non-negative integer's decimal digits, without building a string.
    private static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        guard value > 0 else { return bytes.append(UInt8(ascii: "0")) }
        let start = bytes.count
        var rest = value
        while rest > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        bytes[start...].reverse()
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
}
