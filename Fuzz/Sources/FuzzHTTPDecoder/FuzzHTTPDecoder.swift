import HTTPServer

/// Arbitrary bytes as a response head for the encoder (`checkResponseEncoder`), then through
/// the request decoder, split at a size chosen by the first byte, then
/// each decoded target through the router's pattern matching and the static resolver's
/// percent-decoding. Any error is fine; a crash, a hang, or a broken invariant is a finding.
let FuzzHTTPDecoderEntry: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    guard let data else { return 0 }
    return fuzzHTTPDecoder(data, size)
}

func fuzzHTTPDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let pieceSize = Int(data[0] % 64) + 1
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)
    checkResponseEncoder(bytes)
    var limits = HTTPRequestDecoder.Limits()
    limits.maxRequestLineBytes = 512
    limits.maxHeaderSectionBytes = 2048
    limits.maxHeaderFields = 16
    limits.maxBodyBytes = 4096
    var decoder = HTTPRequestDecoder(limits: limits)
    let pattern = RoutePattern("/api/jobs/:id/results/*")
    var bodyBytes = 0
    var offset = 0
    outer: while offset < bytes.count {
        let end = min(bytes.count, offset + pieceSize)
        decoder.append(UnsafeBufferPointer(rebasing: bytes[offset..<end]))
        offset = end
        do {
            while let event = try decoder.next() {
                switch event {
                case let .head(head):
                    bodyBytes = 0
                    _ = pattern.match(head.path)
                    _ = PercentEncoding.decode(head.path)
                    _ = head.keepAlive
                case let .body(piece):
                    bodyBytes += piece.count
                    precondition(bodyBytes <= limits.maxBodyBytes, "body exceeded its limit")
                case .end:
                    bodyBytes = 0
                }
            }
        } catch {
            precondition(error.status.code >= 400, "decoding error without an error status")
            break outer
        }
    }
    return 0
}
