import HTTPServer

/// Arbitrary bytes through the server's WebSocket inbound path (frame decoder, message assembler,
/// UTF-8 validation, permessage-deflate), via http-ws's `WSFuzzEntry`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWSFrames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = WSFuzzEntry.decode(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
