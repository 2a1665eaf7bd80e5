import Testing
@testable import HTTPServer

/// Message rules of RFC 6455 §5.4-5.5 and §7.4 on top of the frame decoder.
@Suite struct WSMessageAssemblerTests {
    @Test("a fragmented text message with ping and pong in between yields the controls first, then the message",
          arguments: chunkSizes)
    func fragmentationWithInterleavedControl(chunkSize: Int) {
        let wire = WSClient.bytes([
            WSFrame(fin: false, opcode: .text, payload: Array("Hel".utf8)),
            .ping(Array("p1".utf8)),
            WSFrame(fin: false, opcode: .continuation, payload: Array("lo, ".utf8)),
            .pong([9]),
            WSFrame(fin: true, opcode: .continuation, payload: Array("world".utf8)),
        ])
        let result = runInbound(wire, chunkSize: chunkSize)
        #expect(result.error == nil)
        #expect(result.events == [.ping(Array("p1".utf8)), .pong([9]), .message(.text("Hello, world"))])
    }

    @Test("a fragmented binary message keeps byte order; empty fragments are allowed")
    func binaryFragments() {
        let wire = WSClient.bytes([
            WSFrame(fin: false, opcode: .binary, payload: [1, 2]),
            WSFrame(fin: false, opcode: .continuation, payload: []),
            WSFrame(fin: true, opcode: .continuation, payload: [3]),
        ])
        #expect(runInbound(wire).events == [.message(.binary([1, 2, 3]))])
    }

    @Test("a continuation without an open message fails with 1002")
    func strayContinuation() {
        let result = runInbound(WSClient.bytes(WSFrame(opcode: .continuation, payload: [1])))
        #expect(result.error == .unexpectedContinuation)
        #expect(result.error?.closeCode == .protocolError)
    }

    @Test("a new data frame inside a fragmented message fails with 1002", arguments: [WSOpcode.text, .binary])
    func interruptedMessage(opcode: WSOpcode) {
        let wire = WSClient.bytes([WSFrame(fin: false, opcode: .text, payload: [0x61]), WSFrame(opcode: opcode, payload: [0x62])])
        #expect(runInbound(wire).error == .messageInterrupted(by: opcode))
    }

    @Test("a message over the limit fails with 1009 even when each fragment is small")
    func oversizeMessageAcrossFragments() {
        let limits = WSInbound.Limits(maxMessageSize: 100)
        let fragment = [UInt8](repeating: 0x61, count: 60)
        let ok = runInbound(WSClient.bytes(.binary([UInt8](repeating: 0, count: 100))), limits: limits)
        #expect(ok.error == nil)
        let wire = WSClient.bytes([WSFrame(fin: false, opcode: .binary, payload: fragment),
                                   WSFrame(fin: true, opcode: .continuation, payload: fragment)])
        let result = runInbound(wire, limits: limits)
        #expect(result.error == .messageTooBig(size: 120, limit: 100))
        #expect(result.error?.closeCode == .messageTooBig)
    }

    @Test("a continuation that would pass the message limit fails from its header, before its payload arrives")
    func oversizeContinuationRefusedFromHeader() {
        var inbound = WSInbound(limits: WSInbound.Limits(maxMessageSize: 100))
        let first = inbound.receive(WSClient.bytes(WSFrame(fin: false, opcode: .binary, payload: [UInt8](repeating: 1, count: 60))))
        #expect(first.error == nil)
        // Header of a 60-byte continuation, no payload yet.
        let result = inbound.receive(WSClient.rawHeader(firstByte: 0x80, lengthBytes: [60]))
        #expect(result.error == .messageTooBig(size: 120, limit: 100))
    }

    @Test("invalid UTF-8 in a text message fails with 1007", arguments: [
        [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80],
    ] as [[UInt8]])
    func invalidText(bytes: [UInt8]) {
        let result = runInbound(WSClient.bytes(WSFrame(opcode: .text, payload: Array("ok".utf8) + bytes)))
        #expect(result.error == .invalidUTF8)
        #expect(result.error?.closeCode == .invalidPayload)
    }

    @Test("a character split across fragments is valid; each chunk size", arguments: chunkSizes)
    func utf8SplitAcrossFragments(chunkSize: Int) {
        let euro: [UInt8] = [0xE2, 0x82, 0xAC]   // €
        let emoji: [UInt8] = [0xF0, 0x9F, 0x98, 0x80]  // 😀
        let wire = WSClient.bytes([
            WSFrame(fin: false, opcode: .text, payload: [0x61, euro[0]]),
            WSFrame(fin: false, opcode: .continuation, payload: [euro[1]]),
            WSFrame(fin: false, opcode: .continuation, payload: [euro[2], emoji[0], emoji[1]]),
            WSFrame(fin: true, opcode: .continuation, payload: [emoji[2], emoji[3]]),
        ])
        let result = runInbound(wire, chunkSize: chunkSize)
        #expect(result.error == nil)
        #expect(result.events == [.message(.text("a€😀"))])
    }

    @Test("invalid UTF-8 fails at the bad fragment, before the message ends (fail fast)")
    func utf8FailsFast() {
        let wire = WSClient.bytes([
            WSFrame(fin: false, opcode: .text, payload: Array("fine".utf8)),
            WSFrame(fin: false, opcode: .continuation, payload: [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xF4, 0x90]),
        ])
        #expect(runInbound(wire).error == .invalidUTF8)
    }

    @Test("a text message ending inside a character fails with 1007")
    func truncatedCharacterAtEnd() {
        let wire = WSClient.bytes([WSFrame(fin: false, opcode: .text, payload: [0x61, 0xE2]),
                                   WSFrame(fin: true, opcode: .continuation, payload: [0x82])])
        #expect(runInbound(wire).error == .invalidUTF8)
    }

    @Test("binary messages are not UTF-8 checked")
    func binaryNotChecked() {
        #expect(runInbound(WSClient.bytes(.binary([0xFF, 0xC0]))).events == [.message(.binary([0xFF, 0xC0]))])
    }

    @Test("valid close codes are accepted with their reason",
          arguments: [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999] as [UInt16])
    func validCloseCodes(code: UInt16) {
        let result = runInbound(WSClient.bytes(.close(WSCloseCode(code), reason: "bye ✓")))
        #expect(result.events == [.close(code: WSCloseCode(code), reason: "bye ✓")])
    }

    @Test("close codes that may not be sent fail with 1002",
          arguments: [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535] as [UInt16])
    func invalidCloseCodes(code: UInt16) {
        let result = runInbound(WSClient.bytes(.close(WSCloseCode(code))))
        #expect(result.error == .invalidCloseCode(code))
        #expect(result.error?.closeCode == .protocolError)
    }

    @Test("an empty close payload means 'no code'; a 1-byte payload is a protocol error")
    func closePayloadSizes() {
        #expect(runInbound(WSClient.bytes(.closeWithoutCode)).events == [.close(code: nil, reason: "")])
        #expect(runInbound(WSClient.bytes(WSFrame(opcode: .close, payload: [0x03]))).error == .closePayloadTooShort)
    }

    @Test("a close reason that is not UTF-8 fails with 1007")
    func closeReasonInvalidUTF8() {
        let result = runInbound(WSClient.bytes(WSFrame(opcode: .close, payload: [0x03, 0xE8, 0xFF])))
        #expect(result.error == .invalidCloseReasonUTF8)
        #expect(result.error?.closeCode == .invalidPayload)
    }

    @Test("our close frame truncates a long reason on a character boundary to stay within 125 bytes")
    func closeFrameTruncation() {
        let frame = WSFrame.close(.goingAway, reason: String(repeating: "é", count: 100))
        #expect(frame.payload.count == 2 + 61 * 2)  // a 62nd "é" would need 126 bytes
        #expect(runInbound(WSClient.bytes(frame)).events == [.close(code: .goingAway, reason: String(repeating: "é", count: 61))])
    }
}
