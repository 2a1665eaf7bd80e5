/// The receiving side of a connection without the socket: bytes in (split anywhere), events out.
///
/// Combines `WSFrameDecoder` (frame rules) with `WSMessageAssembler` (message rules). After a
/// thrown error the connection must be failed with `error.closeCode`; further input is refused.
public struct WSInbound {
    public private(set) var decoder: WSFrameDecoder
    public private(set) var assembler: WSMessageAssembler
    private var failed: WSProtocolError?

    public struct Limits: Sendable {
        /// Largest complete message (after inflating); bigger ones close with 1009.
        public var maxMessageSize: Int
        /// Largest single frame; defaults to the message limit.
        public var maxFramePayload: Int

        public init(maxMessageSize: Int = 16 << 20, maxFramePayload: Int? = nil) {
            self.maxMessageSize = maxMessageSize
            self.maxFramePayload = maxFramePayload ?? maxMessageSize
        }
    }

    /// - Parameter inflater: pass one when permessage-deflate was negotiated; RSV1 is then allowed.
    public init(role: WSFrameDecoder.Role = .server, limits: Limits = Limits(), inflater: WSInflater? = nil) {
        decoder = WSFrameDecoder(configuration: .init(role: role, maxFramePayload: limits.maxFramePayload,
                                                      allowsRSV1: inflater != nil))
        assembler = WSMessageAssembler(maxMessageSize: limits.maxMessageSize, inflater: inflater)
    }

    /// Feeds received bytes; returns every event they complete, in order.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer) throws(WSProtocolError) -> [WSEvent] {
        if let failed { throw failed }
        decoder.append(bytes)
        return try drain()
    }

    public mutating func receive(_ bytes: [UInt8]) throws(WSProtocolError) -> [WSEvent] {
        if let failed { throw failed }
        decoder.append(bytes)
        return try drain()
    }

    private mutating func drain() throws(WSProtocolError) -> [WSEvent] {
        var events: [WSEvent] = []
        do {
            while let frame = try decoder.nextFrame() {
                if let event = try assembler.receive(frame) { events.append(event) }
            }
        } catch {
            failed = error
            throw error
        }
        return events
    }
}

/// Entry point for the frame-decoder fuzz target (Fuzz/ is http-core's): runs arbitrary bytes
/// through the whole inbound path, with and without permessage-deflate, in small and whole
/// chunks. It must never crash, hang or grow past its limits; errors are the expected outcome.
public enum WSFuzzEntry {
    /// Returns the number of events produced (so the optimiser cannot drop the work).
    @discardableResult
    public static func decode(_ data: UnsafeRawBufferPointer) -> Int {
        let limits = WSInbound.Limits(maxMessageSize: 1 << 20)
        var produced = 0
        for compressed in [false, true] {
            let inflater = compressed ? try? WSInflater() : nil
            var whole = WSInbound(role: .server, limits: limits, inflater: inflater)
            produced += (try? whole.receive(data))?.count ?? 0

            var split = WSInbound(role: .server, limits: limits, inflater: compressed ? try? WSInflater() : nil)
            var offset = 0
            while offset < data.count {
                let end = min(offset + 7, data.count)
                guard let events = try? split.receive(UnsafeRawBufferPointer(rebasing: data[offset..<end])) else { break }
                produced += events.count
                offset = end
            }
        }
        return produced
    }
}
