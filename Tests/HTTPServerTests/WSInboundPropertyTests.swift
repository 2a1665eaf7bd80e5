import Testing
import TestSupport
@testable import HTTPServer

/// Property tests on mutated input: whatever the bytes, the inbound path gives the same answer
/// however the stream is split, and every failure maps to a close code a server may send.
@Suite struct WSInboundPropertyTests {

    static let seedFrames: [WSFrame] = [
        .text("héllo"), WSFrame(fin: false, opcode: .text, payload: Array("frag".utf8)), .ping([1, 2]),
        WSFrame(opcode: .continuation, payload: Array("ment €".utf8)), .binary(Array(0..<200)),
        .close(.normalClosure, reason: "bye"),
    ]

    @Test("mutated streams: split-invariant results and only 1002/1007/1009 failures", arguments: [1, 2, 3, 4])
    func mutatedStreams(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let original = WSClient.bytes(Self.seedFrames)
        for round in 0..<400 {
            var wire = original
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<wire.count, using: &random)
                wire[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
            }
            let limits = WSInbound.Limits(maxMessageSize: 4096)
            let whole = runInbound(wire, limits: limits)
            let chunk = Int.random(in: 1...9, using: &random)
            let split = runInbound(wire, chunkSize: chunk, limits: limits)
            #expect(whole.events == split.events, "seed \(seed) round \(round) chunk \(chunk)")
            #expect(whole.error == split.error, "seed \(seed) round \(round) chunk \(chunk)")
            if let error = whole.error {
                #expect([WSCloseCode.protocolError, .invalidPayload, .messageTooBig].contains(error.closeCode))
                #expect(error.closeCode.isValidOnWire)
            }
        }
    }

    @Test("the fuzz entry point survives random bytes and mutated frames")
    func fuzzEntrySurvives() {
        var random = SeededGenerator(seed: 42)
        var total = 0
        for _ in 0..<300 {
            var bytes = WSClient.bytes(Self.seedFrames)
            let cut = Int.random(in: 0..<bytes.count, using: &random)
            for index in cut..<min(bytes.count, cut + 8) { bytes[index] = UInt8.random(in: 0...255, using: &random) }
            total += bytes.withUnsafeBytes { WSFuzzEntry.decode($0) }
        }
        // Most mutations leave some frames intact before the damage, so events are produced.
        #expect(total > 0)
    }
}
