import Testing
@testable import HTTPServer

/// Frame encoding/decoding (RFC 6455 §5.2) with no socket: lengths, masking, bits, opcodes.
@Suite struct WSFrameCodecTests {
    @Test("payload lengths at the encoding boundaries round-trip through encoder and decoder",
          arguments: [0, 1, 125, 126, 127, 65535, 65536, 70000])
    func lengthEncodings(length: Int) throws {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let wire = WSClient.bytes(.binary(payload))
        let expectedHeader = length <= 125 ? 2 : (length <= 65535 ? 4 : 10)
        #expect(wire.count == expectedHeader + 4 + length)
        if length > 125 { #expect(wire[1] & 0x7F == (length <= 65535 ? 126 : 127)) }
        for chunk in [0, 1, 1000] {
            let result = runInbound(wire, chunkSize: chunk)
            #expect(result.error == nil)
            #expect(result.events == [.message(.binary(payload))])
        }
    }

    @Test("server frames are unmasked and minimal: 125 → 1 length byte, 126 → 16-bit, 65536 → 64-bit")
    func serverEncoding() {
        #expect(WSFrameEncoder.encode(.text("Hello")) == [0x81, 0x05] + Array("Hello".utf8))
        #expect(Array(WSFrameEncoder.encode(.binary([UInt8](repeating: 1, count: 126))).prefix(4)) == [0x82, 126, 0x00, 126])
        #expect(Array(WSFrameEncoder.encode(.binary([UInt8](repeating: 1, count: 65536))).prefix(10))
                == [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0])
    }

    @Test("RFC 6455 §5.7 example: masked 'Hello' from a client")
    func rfcMaskedHelloExample() {
        let wire: [UInt8] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        #expect(runInbound(wire).events == [.message(.text("Hello"))])
        #expect(WSClient.bytes(.text("Hello")) == wire)
    }

    @Test("masking is word-at-a-time yet equal to the byte-wise definition at every length and offset")
    func maskingMatchesDefinition() {
        let key: (UInt8, UInt8, UInt8, UInt8) = (0xA1, 0x02, 0xFF, 0x5C)
        let keyBytes = [key.0, key.1, key.2, key.3]
        for length in 0..<40 {
            let original = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 13) }
            var masked = original
            WSMasking.apply(key: key, to: &masked)
            #expect(masked == original.enumerated().map { $1 ^ keyBytes[$0 % 4] })
            WSMasking.apply(key: key, to: &masked)
            #expect(masked == original)
        }
    }

    @Test("an unmasked client frame fails with 1002")
    func unmaskedClientFrame() {
        let wire = WSFrameEncoder.encode(.text("hi"))
        let result = runInbound(wire)
        #expect(result.error == .unmaskedClientFrame)
        #expect(result.error?.closeCode == .protocolError)
    }

    @Test("a masked server frame fails a client-side decoder")
    func maskedServerFrame() throws {
        var decoder = WSFrameDecoder(configuration: .init(role: .client))
        decoder.append(WSClient.bytes(.text("x")))
        #expect(throws: WSProtocolError.maskedServerFrame) { try decoder.nextFrame() }
    }

    @Test("RSV bits without a negotiated extension fail with 1002", arguments: [UInt8(0x40), 0x20, 0x10])
    func reservedBits(bit: UInt8) {
        var wire = WSClient.bytes(.text("x"))
        wire[0] |= bit
        let result = runInbound(wire)
        guard case .reservedBitsSet = result.error else {
            Issue.record("expected reservedBitsSet, got \(String(describing: result.error))"); return
        }
        #expect(result.error?.closeCode == .protocolError)
    }

    @Test("reserved opcodes fail with 1002", arguments: [UInt8(3), 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF])
    func reservedOpcodes(opcode: UInt8) {
        let wire = WSClient.rawHeader(firstByte: 0x80 | opcode, lengthBytes: [0])
        #expect(runInbound(wire).error == .reservedOpcode(opcode))
    }

    @Test("a 64-bit length with its most significant bit set fails with 1002")
    func lengthMSB() {
        let wire = WSClient.rawHeader(firstByte: 0x82, lengthBytes: [127, 0x80, 0, 0, 0, 0, 0, 0, 0])
        let result = runInbound(wire)
        #expect(result.error == .lengthMostSignificantBitSet)
        #expect(result.error?.closeCode == .protocolError)
    }

    @Test("non-minimal length encodings are refused (§5.2 'minimal number of bytes MUST be used')")
    func nonMinimalLengths() {
        #expect(runInbound(WSClient.rawHeader(firstByte: 0x82, lengthBytes: [126, 0, 5])).error == .nonMinimalLength(5))
        #expect(runInbound(WSClient.rawHeader(firstByte: 0x82, lengthBytes: [127, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF])).error
                == .nonMinimalLength(65535))
    }

    @Test("control frames over 125 bytes fail with 1002", arguments: [WSOpcode.ping, .pong, .close])
    func controlTooLong(opcode: WSOpcode) {
        let wire = WSClient.bytes(WSFrame(opcode: opcode, payload: [UInt8](repeating: 0x41, count: 126)))
        #expect(runInbound(wire).error == .controlFrameTooLong(126))
    }

    @Test("a control frame of exactly 125 bytes is accepted")
    func controlAtLimit() {
        let payload = [UInt8](repeating: 0x41, count: 125)
        #expect(runInbound(WSClient.bytes(.ping(payload))).events == [.ping(payload)])
    }

    @Test("fragmented control frames fail with 1002", arguments: [WSOpcode.ping, .pong, .close])
    func controlFragmented(opcode: WSOpcode) {
        let wire = WSClient.bytes(WSFrame(fin: false, opcode: opcode))
        #expect(runInbound(wire).error == .controlFrameFragmented(opcode))
    }

    @Test("a frame over the size limit fails with 1009 from its header alone, before the payload arrives")
    func oversizeFrameRejectedEarly() {
        let limits = WSInbound.Limits(maxMessageSize: 1000)
        let header = WSClient.rawHeader(firstByte: 0x82, lengthBytes: [127, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF])
        let result = runInbound(header, limits: limits)
        #expect(result.error == .messageTooBig(size: 0x7FFF_FFFF, limit: 1000))
        #expect(result.error?.closeCode == .messageTooBig)
    }

    @Test("bytes split at every position decode to the same frames", arguments: chunkSizes)
    func anySplit(chunkSize: Int) {
        let frames: [WSFrame] = [.text("héllo wörld"), .ping([1, 2, 3]), .binary(Array(0..<200)), .text("")]
        let result = runInbound(WSClient.bytes(frames), chunkSize: chunkSize)
        #expect(result.error == nil)
        #expect(result.events == [.message(.text("héllo wörld")), .ping([1, 2, 3]),
                                  .message(.binary(Array(0..<200))), .message(.text(""))])
    }

    @Test("events before an error in the same read are kept; after it the stream stays failed")
    func staysFailed() {
        var first = WSInbound()
        #expect(first.receive(WSClient.bytes(.text("kept")) + WSFrameEncoder.encode(.text("bad")))
                 == .init(events: [.message(.text("kept"))], error: .unmaskedClientFrame))
        var inbound = WSInbound()
        #expect(inbound.receive(WSFrameEncoder.encode(.text("a"))) == .init(events: [], error: .unmaskedClientFrame))
        #expect(inbound.receive(WSClient.bytes(.text("a"))) == .init(events: [], error: .unmaskedClientFrame))
    }
}
