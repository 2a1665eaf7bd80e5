@testable import HTTPServer

/// Builds client frames the way a browser does: masked, with a fixed key so failures reproduce.
enum WSClient {
    static let key: (UInt8, UInt8, UInt8, UInt8) = (0x37, 0xFA, 0x21, 0x3D)

    static func bytes(_ frame: WSFrame) -> [UInt8] { WSFrameEncoder.encode(frame, maskKey: key) }

    static func bytes(_ frames: [WSFrame]) -> [UInt8] { frames.flatMap { bytes($0) } }

    /// A frame header written by hand (for lengths and flags our encoder never produces).
    static func rawHeader(firstByte: UInt8, masked: Bool = true, lengthBytes: [UInt8]) -> [UInt8] {
        var header = [firstByte]
        header.append(contentsOf: lengthBytes)
        if masked { header[1] |= 0x80; header.append(contentsOf: [key.0, key.1, key.2, key.3]) }
        return header
    }
}

/// Runs bytes through a server-side `WSInbound` in chunks of `chunkSize` (0 = all at once).
/// Returns the events before the failure and the failure, if any.
func runInbound(_ bytes: [UInt8], chunkSize: Int = 0, limits: WSInbound.Limits = .init(),
                inflater: WSInflater? = nil) -> (events: [WSEvent], error: WSProtocolError?) {
    var inbound = WSInbound(role: .server, limits: limits, inflater: inflater)
    var events: [WSEvent] = []
    let step = chunkSize > 0 ? chunkSize : max(bytes.count, 1)
    var offset = 0
    repeat {
        let end = min(offset + step, bytes.count)
        let output = inbound.receive(Array(bytes[offset..<end]))
        events += output.events
        if let error = output.error { return (events, error) }
        offset = end
    } while offset < bytes.count
    return (events, nil)
}

/// Chunk sizes that exercise every split point class: whole, 1 byte, odd, header-sized.
let chunkSizes = [0, 1, 2, 3, 7, 13, 64]
