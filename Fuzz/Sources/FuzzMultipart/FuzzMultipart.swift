import HTTPServer

/// Arbitrary bytes as a multipart body (boundary `fuzz`), split by the first byte; every file name
/// goes through the sanitiser, whose output must never be a path or a hidden file.
let FuzzMultipartEntry: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    guard let data else { return 0 }
    return fuzzMultipart(data, size)
}

func fuzzMultipart(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let pieceSize = Int(data[0] % 32) + 1
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)
    guard var parser = try? MultipartParser(boundary: "fuzz", maxHeaderBytes: 1024) else { return 0 }
    let sanitizer = FileNameSanitizer(maxBytes: 40)
    var offset = 0
    do {
        while offset < bytes.count {
            let end = min(bytes.count, offset + pieceSize)
            parser.append(UnsafeBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
            while let event = try parser.next() {
                if case let .partBegin(head) = event, let filename = head.filename {
                    let safe = sanitizer.sanitize(filename)
                    precondition(!safe.isEmpty && safe.utf8.count <= 40 + 16, "sanitised name empty or too long")
                    precondition(!safe.contains("/") && !safe.contains("\\") && !safe.hasPrefix("."), "unsafe name \(safe)")
                }
            }
        }
        try parser.finish()
    } catch {
        precondition(error.status.code >= 400)
    }
    return 0
}
