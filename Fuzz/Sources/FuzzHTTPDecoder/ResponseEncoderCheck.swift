import HTTPServer

/// The same bytes as a response a handler might build: the first piece (split at 0x01) is the
/// reason phrase, the rest are header name/value pairs. Whatever a handler sets, the head must
/// keep its shape: every line CRLF-terminated, no CR, LF or NUL of the handler's inside a line,
/// exactly the lines the server-owned names allow, and the body whole after the blank line.
func checkResponseEncoder(_ bytes: UnsafeBufferPointer<UInt8>) {
    let pieces = String(decoding: bytes, as: UTF8.self)
        .split(separator: "\u{1}", omittingEmptySubsequences: false).map(String.init)
    var headers = HTTPHeaders()
    var index = 1
    while index + 1 < pieces.count {
        headers.append(pieces[index], pieces[index + 1])
        index += 2
    }
    let code = 100 + bytes.count % 500
    let close = bytes.count % 3 == 0
    let body = Array(bytes.prefix(64))
    let encoded = HTTPResponseEncoder.encodeHead(
        status: HTTPStatus(code: code, reasonPhrase: pieces[0]), headers: headers,
        framing: .contentLength(body.count), closeConnection: close,
        date: "Thu, 01 Jan 1970 00:00:00 GMT", followedBy: body)

    precondition(encoded.count >= body.count && encoded.suffix(body.count).elementsEqual(body), "body not at the end")
    let head = Array(encoded.dropLast(body.count))
    precondition(head.suffix(4).elementsEqual([0x0D, 0x0A, 0x0D, 0x0A]), "head does not end with a blank line")
    precondition(!head.contains(0), "NUL in the head")
    var lineBreaks = 0
    for (offset, byte) in head.enumerated() {
        if byte == 0x0D { precondition(offset + 1 < head.count && head[offset + 1] == 0x0A, "bare CR in the head") }
        if byte == 0x0A {
            precondition(offset > 0 && head[offset - 1] == 0x0D, "bare LF in the head")
            lineBreaks += 1
        }
    }

    // The oracle, written independently of the encoder: ASCII-only lowercasing.
    let upgrade = code == 101
    let kept = headers.fields.filter { field in
        let name = asciiLowercased(field.name)
        return name != "content-length" && name != "transfer-encoding" && (upgrade || name != "connection")
    }
    let handlerDate = kept.contains { asciiLowercased($0.name) == "date" }
    let expected = 1 + kept.count + (handlerDate ? 0 : 1) + 1 + (close && !upgrade ? 1 : 0) + 1
    precondition(lineBreaks == expected, "head has \(lineBreaks) lines, expected \(expected)")
}

private func asciiLowercased(_ text: String) -> String {
    String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
}
