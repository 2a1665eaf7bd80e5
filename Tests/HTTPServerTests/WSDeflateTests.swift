import Testing
@testable import HTTPServer

/// permessage-deflate (RFC 7692): negotiation from offers, and the codec with real zlib.
@Suite struct WSDeflateTests {
    @Test("negotiation picks the first acceptable offer and answers with our parameters", arguments: [
        ("permessage-deflate; client_max_window_bits", "permessage-deflate; server_no_context_takeover"),
        ("permessage-deflate", "permessage-deflate; server_no_context_takeover"),
        ("permessage-deflate; server_max_window_bits=10; client_no_context_takeover",
         "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10"),
        ("permessage-deflate; server_max_window_bits=8, permessage-deflate", "permessage-deflate; server_no_context_takeover"),
        ("x-webkit-deflate-frame, permessage-deflate; client_max_window_bits=\"12\"", "permessage-deflate; server_no_context_takeover"),
    ])
    func negotiation(offer: String, response: String) {
        #expect(WSDeflateParameters.negotiate(offers: [offer])?.responseHeaderValue == response)
    }

    @Test("offers with unknown, repeated or out-of-range parameters are declined", arguments: [
        "permessage-deflate; foo", "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; server_max_window_bits=16", "permessage-deflate; server_max_window_bits",
        "permessage-deflate; client_max_window_bits=7", "permessage-deflate; server_no_context_takeover=1", "x-other",
    ])
    func declined(offer: String) {
        #expect(WSDeflateParameters.negotiate(offers: [offer]) == nil)
    }

    @Test("compress then inflate round-trips messages of many sizes, with and without context takeover",
          arguments: [true, false])
    func roundTrip(noContextTakeover: Bool) throws {
        let deflater = try WSDeflater(noContextTakeover: noContextTakeover)
        let inflater = try WSInflater()
        for size in [0, 1, 100, 5000, 70000, 300_000] {
            let message = (0..<size).map { UInt8(truncatingIfNeeded: ($0 / 7) &* 13) }
            let compressed = deflater.compressMessage(message)
            #expect(compressed.suffix(4) != [0, 0, 0xFF, 0xFF] || compressed.count < 4)
            #expect(try inflater.inflateMessage(compressed, limit: 1 << 20) == message)
        }
    }

    @Test("RFC 7692 §7.2.3.1 example: 'Hello' compresses to f2 48 cd c9 c9 07 00")
    func rfcExample() throws {
        #expect(try WSInflater().inflateMessage([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], limit: 100) == Array("Hello".utf8))
        #expect(try WSDeflater().compressMessage(Array("Hello".utf8)) == [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])
    }

    @Test("a compressed text message split over frames decodes through the inbound path", arguments: chunkSizes)
    func compressedFragmentedMessage(chunkSize: Int) throws {
        let text = String(repeating: "compress me, please — ✓ ", count: 200)
        let compressed = try WSDeflater().compressMessage(Array(text.utf8))
        let half = compressed.count / 2
        let wire = WSClient.bytes([
            WSFrame(fin: false, rsv1: true, opcode: .text, payload: Array(compressed[..<half])),
            .ping([7]),
            WSFrame(fin: true, opcode: .continuation, payload: Array(compressed[half...])),
        ])
        let result = runInbound(wire, chunkSize: chunkSize, inflater: try WSInflater())
        #expect(result.error == nil)
        #expect(result.events == [.ping([7]), .message(.text(text))])
    }

    @Test("a zip bomb (1 MB of zeros in ~1 KB) is refused with 1009 against a 64 KB limit")
    func zipBomb() throws {
        let bomb = try WSDeflater().compressMessage([UInt8](repeating: 0, count: 1 << 20))
        #expect(bomb.count < 2000)
        let result = runInbound(WSClient.bytes(WSFrame(rsv1: true, opcode: .binary, payload: bomb)),
                                limits: .init(maxMessageSize: 64 << 10), inflater: try WSInflater())
        guard case .messageTooBig = result.error else { Issue.record("expected 1009, got \(String(describing: result.error))"); return }
        #expect(result.error?.closeCode == .messageTooBig)
    }

    @Test("RSV1 on a continuation frame, or garbage compressed data, fails with 1002")
    func compressionErrors() throws {
        let continuation = WSClient.bytes([WSFrame(fin: false, rsv1: true, opcode: .binary, payload: [0x00]),
                                           WSFrame(fin: true, rsv1: true, opcode: .continuation, payload: [0x00])])
        guard case .compressionError = runInbound(continuation, inflater: try WSInflater()).error else {
            Issue.record("RSV1 on continuation accepted"); return
        }
        let garbage = runInbound(WSClient.bytes(WSFrame(rsv1: true, opcode: .binary, payload: [0xFF, 0xFF, 0xFF])),
                                 inflater: try WSInflater())
        guard case .compressionError = garbage.error else { Issue.record("garbage inflated: \(String(describing: garbage.error))"); return }
        #expect(garbage.error?.closeCode == .protocolError)
    }

    @Test("compressed text that inflates to invalid UTF-8 fails with 1007")
    func compressedInvalidUTF8() throws {
        let compressed = try WSDeflater().compressMessage([0x61, 0xFF, 0x62])
        let result = runInbound(WSClient.bytes(WSFrame(rsv1: true, opcode: .text, payload: compressed)), inflater: try WSInflater())
        #expect(result.error == .invalidUTF8)
    }

    @Test("the shared compressor pool gives correct independent messages under concurrent use")
    func poolUnderConcurrency() async throws {
        let pool = WSDeflaterPool(stripes: 2)
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let message = Array(String(repeating: "message \(index) ", count: 100 + index).utf8)
                    guard let compressed = pool.compressMessage(message),
                          let inflated = try? WSInflater().inflateMessage(compressed, limit: 1 << 20) else { return false }
                    return inflated == message && compressed.count < message.count
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 64 && results.allSatisfy { $0 })
    }

    @Test("a no-context-takeover connection compresses through the pool; others fall back to their own compressor")
    func connectionUsesPool() {
        let pool = WSDeflaterPool()
        let text = String(repeating: "compressible ", count: 100)
        let plainSize = WSFrameEncoder.encode(.text(text)).count
        for parameters in [WSDeflateParameters(serverNoContextTakeover: true), WSDeflateParameters(serverNoContextTakeover: false)] {
            let connection = WSConnection(transport: WSConnectionQueueTests.NeverUsedTransport(),
                                          configuration: .init(closeTimeout: .seconds(60)),
                                          deflate: parameters, deflaterPool: pool)
            #expect((connection.deflaterPool != nil) == parameters.serverNoContextTakeover)
            #expect(connection.send(text: text) == .enqueued)
            #expect(connection.queuedBytes < plainSize / 5)
        }
    }
}
