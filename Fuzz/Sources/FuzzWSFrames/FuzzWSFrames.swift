import HTTPServer

/// Arbitrary bytes through the server's WebSocket inbound path (frame decoder, message assembler,
/// UTF-8 validation, permessage-deflate), via http-ws's `WSFuzzEntry`.
let FuzzWSFramesEntry: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    guard let data else { return 0 }
    return fuzzWSFrames(data, size)
}

func fuzzWSFrames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = WSFuzzEntry.decode(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
