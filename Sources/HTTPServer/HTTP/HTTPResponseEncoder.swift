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

    /// The status line and header section, ending with the empty line, then `body` if given
    /// (one buffer for a whole response, sent with one write). `announceKeepAlive` adds
    /// `Connection: keep-alive` (for HTTP/1.0 clients that asked for it).
    ///
    /// The server owns framing: handler-set `Content-Length`, `Transfer-Encoding` and `Connection`
    /// are replaced, and CR/LF in values become spaces so a handler cannot inject header lines.
    public static func encodeHead(status: HTTPStatus, headers: HTTPHeaders, framing: Framing,
                                  closeConnection: Bool, date: String, announceKeepAlive: Bool = false,
                                  followedBy body: [UInt8] = []) -> [UInt8] {
        // Sanitizing keeps lengths, so the pieces' lengths bound the output; the fixed part
        // covers the status code, Date, the framing and Connection lines, and the blank line.
        var bound = 128 + status.reasonPhrase.utf8.count + date.utf8.count + body.count
        for (name, value) in headers { bound += name.utf8.count + value.utf8.count + 4 }
        return ByteWriter.array(bound: bound) { out in
            if status.code == 200 && status.reasonPhrase == "OK" {
                out.write("HTTP/1.1 200 OK\r\n")
            } else {
                out.write("HTTP/1.1 ")
                out.writeDecimal(status.code)
                out.write(UInt8(ascii: " "))
                out.writeSanitized(status.reasonPhrase)
                out.write("\r\n")
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
                out.writeSanitized(name)
                out.write(": ")
                out.writeSanitized(value)
                out.write("\r\n")
            }
            if !hasDate {
                out.write("Date: ")
                out.write(utf8Of: date)
                out.write("\r\n")
            }
            switch framing {
            case .noBody, .untilClose: break
            case let .contentLength(length):
                out.write("Content-Length: ")
                out.writeDecimal(length)
                out.write("\r\n")
            case .chunked: out.write("Transfer-Encoding: chunked\r\n")
            }
            if closeConnection && !isUpgrade {
                out.write("Connection: close\r\n")
            } else if announceKeepAlive {
                // HTTP/1.0 clients close unless the response says otherwise (RFC 9112 §9.3).
                out.write("Connection: keep-alive\r\n")
            }
            out.write("\r\n")
            out.write(body)
        }
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
