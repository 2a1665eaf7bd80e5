import CZlib

/// The compressing half of permessage-deflate (RFC 7692 §7.2.1): raw DEFLATE, each message
/// ended with a sync flush whose trailing `00 00 FF FF` is removed.
///
/// A class because zlib's `z_stream` must not move; not Sendable: one owner (a connection's
/// queue, or a hub under its lock) uses it at a time.
public final class WSDeflater {
    private var stream = z_stream()
    private let resetsAfterEachMessage: Bool

    /// - Parameters:
    ///   - windowBits: 9-15 (zlib refuses 8 for raw streams).
    ///   - noContextTakeover: reset after every message, so messages compress independently.
    public init(windowBits: Int = 15, noContextTakeover: Bool = true, level: Int32 = 6) throws(WSDeflateError) {
        resetsAfterEachMessage = noContextTakeover
        // Negative window bits select a raw stream (no zlib header or checksum), as RFC 7692 requires.
        let status = ec_deflateInit2(&stream, level, -Int32(windowBits))
        guard status == Z_OK else { throw .initialisationFailed(status) }
    }

    deinit { deflateEnd(&stream) }

    /// The compressed payload of one message.
    public func compressMessage(_ message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count / 2 + 64)
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        message.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    // Z_SYNC_FLUSH cannot fail with a valid stream and output space (Z_BUF_ERROR
                    // only means "no progress possible", i.e. done).
                    _ = deflate(&stream, Z_SYNC_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
            } while stream.avail_out == 0
            stream.next_in = nil
        }
        if output.count >= 4 && output.suffix(4) == [0x00, 0x00, 0xFF, 0xFF] {
            output.removeLast(4)
        }
        if resetsAfterEachMessage { deflateReset(&stream) }
        return output
    }
}

/// The decompressing half (RFC 7692 §7.2.2), with the output bounded so a small compressed
/// message cannot expand past the message limit (a zip bomb is refused with 1009).
public final class WSInflater {
    private var stream = z_stream()
    private let resetsAfterEachMessage: Bool

    public init(noContextTakeover: Bool = false) throws(WSDeflateError) {
        resetsAfterEachMessage = noContextTakeover
        // Window 15 inflates streams made with any smaller window.
        let status = ec_inflateInit2(&stream, -15)
        guard status == Z_OK else { throw .initialisationFailed(status) }
    }

    deinit { inflateEnd(&stream) }

    public func inflateMessage(_ compressed: [UInt8], limit: Int) throws(WSProtocolError) -> [UInt8] {
        var input = compressed
        input.append(contentsOf: [0x00, 0x00, 0xFF, 0xFF])
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        var failure: WSProtocolError?
        input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            while failure == nil {
                var status: Int32 = Z_OK
                let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = inflate(&stream, Z_SYNC_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                if status != Z_OK && status != Z_BUF_ERROR && status != Z_STREAM_END {
                    let detail = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    failure = .compressionError("inflate failed: \(detail)")
                    break
                }
                if output.count + produced > limit {
                    failure = .messageTooBig(size: UInt64(output.count + produced), limit: limit)
                    break
                }
                output.append(contentsOf: chunk[0..<produced])
                // Done when zlib consumed everything and had output space to spare.
                if stream.avail_in == 0 && stream.avail_out > 0 { break }
                if status == Z_STREAM_END || (status == Z_BUF_ERROR && produced == 0) { break }
            }
            stream.next_in = nil
        }
        if let failure { throw failure }
        if resetsAfterEachMessage { inflateReset(&stream) }
        return output
    }
}

/// zlib could not set up a stream (out of memory, or a zlib built without raw deflate).
public enum WSDeflateError: Error, Equatable, Sendable {
    case initialisationFailed(Int32)
}
