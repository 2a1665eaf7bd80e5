import Synchronization

/// Compressors shared by connections that reset their compressor after every message
/// (`server_no_context_takeover`, our default). Such a compressor holds no per-connection state
/// between messages, so a few shared ones replace one per connection: a zlib stream with a
/// 15-bit window takes about 256 KB, which for 1000 connections would be 256 MB.
///
/// Striped: each stripe is one compressor behind its own lock, so concurrent senders rarely wait.
public final class WSDeflaterPool: Sendable {
    private final class Stripe: Sendable {
        /// Created on first use. Non-Sendable zlib state, only touched inside this lock.
        let compressor = Mutex<WSDeflater?>(nil)
    }

    private let stripes: [Stripe]
    private let next = Atomic<Int>(0)
    public let windowBits: Int

    public init(stripes: Int = 4, windowBits: Int = 15) {
        self.stripes = (0..<max(1, stripes)).map { _ in Stripe() }
        self.windowBits = windowBits
    }

    /// The compressed payload of one message (raw DEFLATE, trailing 00 00 FF FF removed),
    /// or nil if zlib could not allocate a stream.
    public func compressMessage(_ message: [UInt8]) -> [UInt8]? {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue % stripes.count
        return stripes[index].compressor.withLock { compressor in
            if compressor == nil { compressor = try? WSDeflater(windowBits: windowBits, noContextTakeover: true) }
            return compressor?.compressMessage(message)
        }
    }
}
