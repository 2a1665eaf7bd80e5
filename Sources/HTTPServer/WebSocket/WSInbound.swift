/// The receiving side of a connection without the socket: bytes in (split anywhere), events out.
///
/// Combines `WSFrameDecoder` (frame rules) with `WSMessageAssembler` (message rules). After an
/// error the connection must be failed with `error.closeCode`; further input is refused.
public struct WSInbound {
    public private(set) var decoder: WSFrameDecoder
    public private(set) var assembler: WSMessageAssembler
    private var failed: WSProtocolError?
    private let limits: Limits

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
        self.limits = limits
        decoder = WSFrameDecoder(configuration: .init(role: role, maxFramePayload: limits.maxFramePayload,
                                                      allowsRSV1: inflater != nil))
        assembler = WSMessageAssembler(maxMessageSize: limits.maxMessageSize, inflater: inflater)
    }

    /// What one read produced: the events completed before any failure, in order, and the failure.
    /// Events before a failure are kept, so the result does not depend on how TCP split the stream.
    public struct Output: Sendable, Equatable {
        public var events: [WSEvent] = []
        /// Set when the stream broke the protocol: fail the connection with `error.closeCode`.
        public var error: WSProtocolError?
    }

    /// Feeds received bytes. After a failure, further input is refused with the same error.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer) -> Output {
        if let failed { return Output(error: failed) }
        decoder.append(bytes)
        return drain()
    }

    public mutating func receive(_ bytes: [UInt8]) -> Output {
        bytes.withUnsafeBytes { receive($0) }
    }

    private mutating func drain() -> Output {
        var output = Output()
        do throws(WSProtocolError) {
            while true {
                // A continuation may only bring the message up to its limit: telling the decoder
                // so refuses it from its header (1009) instead of after buffering its payload.
                let messageRoom = limits.maxMessageSize - assembler.bufferedMessageBytes
                let messageBound = assembler.isInsideMessage && messageRoom < limits.maxFramePayload
                decoder.configuration.maxFramePayload = messageBound ? max(0, messageRoom) : limits.maxFramePayload
                do throws(WSProtocolError) {
                    guard let frame = try decoder.nextFrame() else { break }
                    if let event = try assembler.receive(frame) { output.events.append(event) }
                } catch .messageTooBig(let size, _) where messageBound {
                    // Report the message's size against the message limit, as the assembler would.
                    throw .messageTooBig(size: UInt64(assembler.bufferedMessageBytes) + size, limit: limits.maxMessageSize)
                }
            }
        } catch {
            failed = error
            output.error = error
        }
        return output
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
            produced += whole.receive(data).events.count

            var split = WSInbound(role: .server, limits: limits, inflater: compressed ? try? WSInflater() : nil)
            var offset = 0
            while offset < data.count {
                let end = min(offset + 7, data.count)
                let output = split.receive(UnsafeRawBufferPointer(rebasing: data[offset..<end]))
                produced += output.events.count
                if output.error != nil { break }
                offset = end
            }
        }
        return produced
    }
}
