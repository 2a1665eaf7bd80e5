import Foundation
import Glibc
import Synchronization
import Testing
@testable import HTTPServer

/// WebSocket clients that try to make the server hold memory on their behalf, on the real
/// in-process `Server` over loopback: ping floods that never read the pongs, pings faster than
/// one answer each, and messages bigger than a route accepts.
@Suite struct WSHostileClientTests {
    /// Keeps the server side of the one connection a test opens, and how it ended.
    final class Observed: WSHandler {
        let connection = Mutex<WSConnection?>(nil)
        let closeCode = Mutex<WSCloseCode?>(nil)
        func onOpen(_ connection: WSConnection) async { self.connection.withLock { $0 = connection } }
        func onMessage(_ message: WSMessage, from connection: WSConnection) async {}
        func onClose(_ connection: WSConnection, code: WSCloseCode, reason: String) async {
            closeCode.withLock { $0 = code }
        }
        var closed: Bool { closeCode.withLock { $0 } != nil }
    }

    static func harness(_ configuration: WSConfiguration, handler: Observed) throws -> ServerHarness {
        try ServerHarness(routes: { router in
            router.add(.get, "/ws/observed", WebSocketRoute(configuration: configuration, handler: handler))
        })
    }

    static func waitUntil(_ timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws {
        let clock = ContinuousClock(), deadline = clock.now + timeout
        while !condition() && clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test("a client that floods pings without reading makes the server hold one pong, not one per ping")
    func pingFloodWithoutReading() async throws {
        let handler = Observed()
        let limit = 64 << 10
        let harness = try Self.harness(WSConfiguration(maxQueuedBytes: limit, writeTimeout: .seconds(5)), handler: handler)
        // 100 000 pings of 125 bytes ask for 12.7 MB of pongs: far beyond the socket buffers, so
        // answered one by one they would pile up in the server's queue for this client.
        let pingCount = 100_000
        let (pongs, closeReply) = try await offPool {
            let (client, _) = try WSServerLoopbackTests.open(harness.port, path: "/ws/observed")
            let batch = WSClient.bytes([WSFrame](repeating: .ping([UInt8](repeating: 0x70, count: 125)), count: 1000))
            for _ in 0..<(pingCount / 1000) { try client.send(batch) }
            // Only now does the client read: whatever the server kept for it, then its close reply.
            try client.send(WSClient.bytes(.close(.normalClosure)))
            var pongs = 0
            while true {
                let frame = try WSServerLoopbackTests.readFrame(client)
                if frame.opcode != .pong { return (pongs, frame) }
                pongs += 1
            }
        }
        try await Self.waitUntil { handler.closed }
        let connection = try #require(handler.connection.withLock { $0 })
        await harness.server.stop()
        // The client sees a few hundred pongs (one per read of the server, at most one waiting
        // at a time), then the normal close reply.
        #expect(pongs >= 1 && pongs < pingCount / 10, "\(pongs) pongs for \(pingCount) pings")
        #expect(closeReply == .close(.normalClosure))
        #expect(connection.peakQueuedBytes <= limit, "peak \(connection.peakQueuedBytes) bytes queued")
        #expect(connection.queuedBytes == 0)
    }

    @Test("a client that does not read while its queue is full is closed once a pong does not fit (1008 queued, TCP dropped after closeTimeout), its queue freed")
    func fullQueueWithPingsIsClosed() async throws {
        let handler = Observed()
        // writeTimeout far beyond the test: only the full queue may close this client.
        let harness = try Self.harness(WSConfiguration(maxQueuedBytes: 64 << 10, overflowPolicy: .dropMessage,
                                                       closeTimeout: .seconds(1), writeTimeout: .seconds(120)),
                                       handler: handler)
        let closedWhileClientOpen = try await offPool {
            let (client, _) = try WSServerLoopbackTests.open(harness.port, path: "/ws/observed", receiveBufferBytes: 4096)
            for _ in 0..<500 where handler.connection.withLock({ $0 }) == nil { usleep(10_000) }
            let connection = try #require(handler.connection.withLock { $0 })
            // Lossy pushes (dropMessage) fill the queue: the client reads nothing.
            // Big messages, then ever smaller ones, until even a 1-byte message does not fit;
            // then a ping. Again, until the socket buffers are full too and the queue stays full:
            // the pong no longer fits.
            for _ in 0..<1500 where !handler.closed {
                for size in [16 << 10, 1 << 10, 64, 1] {
                    var dropped = false
                    for _ in 0..<10_000 where !dropped && connection.isOpen {
                        dropped = connection.send(binary: [UInt8](repeating: 1, count: size)) == .dropped
                    }
                }
                if connection.isOpen { try? client.send(WSClient.bytes(.ping(Array(repeating: 0x70, count: 125)))) }
                usleep(10_000)
            }
            return handler.closed
        }
        let connection = try #require(handler.connection.withLock { $0 })
        await harness.server.stop()
        #expect(closedWhileClientOpen)
        // The limit, plus the close frame queued in place of what was dropped (the batch being
        // written stays counted until its write ends).
        #expect(connection.peakQueuedBytes <= (64 << 10) + 2 + 2 + 123)
        #expect(connection.queuedBytes == 0)
    }

    @Test("pings that arrive together get one pong, for the latest ping (RFC 6455 §5.5.3)")
    func pingsArrivingTogetherGetOnePong() async throws {
        let handler = Observed()
        let harness = try Self.harness(WSConfiguration(), handler: handler)
        let (pongs, closeReply) = try await offPool {
            let (client, _) = try WSServerLoopbackTests.open(harness.port, path: "/ws/observed")
            let pings = (0..<1000).map { WSFrame.ping(withUnsafeBytes(of: UInt32($0).bigEndian) { Array($0) }) }
            try client.send(WSClient.bytes(pings + [.close(.normalClosure)]))
            var pongs: [WSFrame] = []
            while true {
                let frame = try WSServerLoopbackTests.readFrame(client)
                if frame.opcode != .pong { return (pongs, frame) }
                pongs.append(frame)
            }
        }
        await harness.server.stop()
        #expect(closeReply == .close(.normalClosure))
        // 6 KB of pings arrive in one or a few reads: a handful of pongs, not 1000.
        #expect(!pongs.isEmpty && pongs.count < 100, "\(pongs.count) pongs")
        #expect(pongs.last?.payload == [0, 0, 0x03, 0xE7]) // ping 999, the last one
    }

    @Test("a continuation that would pass the message limit is refused with 1009 from its header")
    func continuationOverMessageLimitRefusedEarly() async throws {
        let handler = Observed()
        let harness = try Self.harness(.serverPush, handler: handler)
        let frame = try await offPool {
            let (client, _) = try WSServerLoopbackTests.open(harness.port, path: "/ws/observed")
            try client.send(WSClient.bytes(WSFrame(fin: false, opcode: .text, payload: [UInt8](repeating: 0x61, count: 3000))))
            // A continuation of 3000 bytes (4 KiB limit): only its header is sent. The server
            // must answer without waiting for a payload that would never fit.
            try client.send(WSClient.rawHeader(firstByte: 0x80, lengthBytes: [126, 0x0B, 0xB8]))
            return try WSServerLoopbackTests.readFrame(client)
        }
        await harness.server.stop()
        #expect(frame.opcode == .close)
        #expect(Array(frame.payload.prefix(2)) == [0x03, 0xF1]) // 1009 message too big
    }

    @Test("a route that ignores inbound messages refuses a 1 MiB frame from its header with 1009")
    func serverPushRouteRefusesLargeFrame() async throws {
        let handler = Observed()
        let harness = try Self.harness(.serverPush, handler: handler)
        let frame = try await offPool {
            let (client, _) = try WSServerLoopbackTests.open(harness.port, path: "/ws/observed")
            try client.send(WSClient.rawHeader(firstByte: 0x82, lengthBytes: [127, 0, 0, 0, 0, 0, 0x10, 0, 0]))
            return try WSServerLoopbackTests.readFrame(client)
        }
        await harness.server.stop()
        #expect(frame.opcode == .close)
        #expect(Array(frame.payload.prefix(2)) == [0x03, 0xF1])
        #expect(WSConfiguration.serverPush.limits.maxMessageSize == 4096)
        #expect(WSConfiguration.serverPush.limits.maxFramePayload == 4096)
    }
}
