import Foundation
import Synchronization
import Testing
import TestSupport
@testable import HTTPServer

/// WebSocket routes on the real in-process `Server`, over loopback TCP: the handshake, the
/// connection's reader/writer, the closing handshake and the hub, with exact bytes on the wire.
@Suite struct WSServerLoopbackTests {
    /// Chat members: every message goes to everyone (the hub is per test).
    struct ChatHandler: WSHandler {
        let hub: WSHub
        func onOpen(_ connection: WSConnection) async { hub.add(connection); connection.send(text: "joined") }
        func onMessage(_ message: WSMessage, from connection: WSConnection) async { hub.broadcast(message) }
        func onClose(_ connection: WSConnection, code: WSCloseCode, reason: String) async { hub.remove(connection) }
    }

    static func harness(hub: WSHub = WSHub(),
                        echo: WebSocketRoute = WebSocketRoute(configuration: .init(limits: .init(maxMessageSize: 1000)),
                                                              handler: WSEchoHandler())) throws -> ServerHarness {
        try ServerHarness(routes: { router in
            router.add(.get, "/ws/echo", echo)
            router.add(.get, "/ws/chat", WebSocketRoute(handler: ChatHandler(hub: hub)))
        })
    }

    /// Connects and completes the opening handshake; returns the client and the 101 response.
    static func open(_ port: UInt16, path: String, key: String = "dGhlIHNhbXBsZSBub25jZQ==",
                     receiveBufferBytes: Int32? = nil) throws -> (RawClient, RawClient.Response) {
        let client = try RawClient(port: port, receiveBufferBytes: receiveBufferBytes)
        try client.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n")
        return (client, try client.readResponse(forHead: true))
    }

    /// Reads one server frame with a client-side decoder.
    static func readFrame(_ client: RawClient) throws -> WSFrame {
        var decoder = WSFrameDecoder(configuration: .init(role: .client, allowsRSV1: true))
        var received: [UInt8] = []
        while true {
            received += try client.bytes(received.isEmpty ? 2 : 1)
            decoder = WSFrameDecoder(configuration: .init(role: .client, allowsRSV1: true))
            decoder.append(received)
            if let frame = try decoder.nextFrame() { return frame }
        }
    }

    @Test("101 with the RFC accept key, echo, then a clean closing handshake initiated by the client")
    func echoAndClose() async throws {
        let harness = try Self.harness()
        let (response, echoed, closeReply, closedByServer) = try await offPool {
            let (client, response) = try Self.open(harness.port, path: "/ws/echo")
            try client.send(WSClient.bytes(.text("héllo")))
            let echoed = try Self.readFrame(client)
            try client.send(WSClient.bytes(.close(.normalClosure, reason: "done")))
            let closeReply = try Self.readFrame(client)
            return (response, echoed, closeReply, try client.isClosedByServer())
        }
        await harness.server.stop()
        #expect(response.status == 101)
        #expect(response.headers["Sec-WebSocket-Accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(echoed == .text("héllo"))
        #expect(closeReply == .close(.normalClosure))
        #expect(closedByServer)
    }

    @Test("a protocol error gets our close code, then the server ends TCP (FIN, not RST)",
          arguments: [
            (WSFrameEncoder.encode(.text("unmasked")), WSCloseCode.protocolError),
            (WSClient.bytes(WSFrame(opcode: .text, payload: [0x61, 0xFF])), .invalidPayload),
            (WSClient.bytes(.binary([UInt8](repeating: 1, count: 1001))), .messageTooBig),
          ])
    func protocolErrors(wire: [UInt8], expected: WSCloseCode) async throws {
        let harness = try Self.harness()
        let (frame, closedByServer) = try await offPool {
            let (client, _) = try Self.open(harness.port, path: "/ws/echo")
            try client.send(wire)
            return (try Self.readFrame(client), try client.isClosedByServer())
        }
        await harness.server.stop()
        #expect(frame.opcode == .close)
        #expect(Array(frame.payload.prefix(2)) == [UInt8(expected.rawValue >> 8), UInt8(expected.rawValue & 0xFF)])
        #expect(closedByServer)
    }

    @Test("a hub broadcast reaches every member connection")
    func hubBroadcast() async throws {
        let hub = WSHub()
        let harness = try Self.harness(hub: hub)
        let received = try await offPool {
            let clients = try (0..<3).map { _ in try Self.open(harness.port, path: "/ws/chat").0 }
            for client in clients { _ = try Self.readFrame(client) }  // "joined": all are members now
            try clients[1].send(WSClient.bytes(.text("to all")))
            return try clients.map { try Self.readFrame($0) }
        }
        await harness.server.stop()
        #expect(received == Array(repeating: WSFrame.text("to all"), count: 3))
    }

    @Test("the Python websockets client (with permessage-deflate) talks to the in-process server")
    func pythonClient() async throws {
        let python = TestPaths.python.path
        try #require(FileManager.default.isExecutableFile(atPath: python), "the venv is missing: run scripts/setup")
        let harness = try Self.harness()
        let script = """
        import asyncio
        from websockets.asyncio.client import connect
        async def main():
            async with connect("ws://127.0.0.1:\(harness.port)/ws/echo") as ws:
                print(ws.response.headers.get("Sec-WebSocket-Extensions"))
                text = "compress me " * 50
                await ws.send(text)
                print(await ws.recv() == text)
                await ws.send([b"a", b"b"])
                print(await ws.recv())
        asyncio.run(asyncio.wait_for(main(), 20))
        """
        let result = try await offPool { try run(python, ["-c", script]) }
        await harness.server.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n") == ["permessage-deflate; server_no_context_takeover", "True", "b'ab'"])
    }

    @Test("closeAll sends 1001 'going away' to every open connection of a route")
    func closeAllBeforeStop() async throws {
        let route = WebSocketRoute(handler: WSEchoHandler())
        let harness = try Self.harness(echo: route)
        let (openBefore, frames) = try await offPool {
            let clients = try (0..<2).map { _ in try Self.open(harness.port, path: "/ws/echo").0 }
            // Each connection joins the route's set when the server hands its socket over.
            for _ in 0..<500 where route.connectionCount < 2 { usleep(10_000) }
            let openBefore = route.connectionCount
            route.closeAll()
            let frames = try clients.map { client -> WSFrame in
                let frame = try Self.readFrame(client)
                try client.send(WSClient.bytes(.close(.goingAway)))
                return frame
            }
            return (openBefore, frames)
        }
        #expect(openBefore == 2)
        let clock = ContinuousClock(), deadline = clock.now + .seconds(5)
        while route.connectionCount > 0 && clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        await harness.server.stop()
        #expect(frames == Array(repeating: WSFrame.close(.goingAway, reason: "server shutting down"), count: 2))
        #expect(route.connectionCount == 0)
    }

    @Test("WSStreamHandler: messages arrive as an AsyncStream that finishes when the connection closes")
    func streamHandler() async throws {
        let finished = Mutex(false)
        let route = WebSocketRoute(handler: WSStreamHandler { connection, messages in
            var count = 0
            for await message in messages {
                count += 1
                connection.send(text: "\(count): \(String(decoding: message.payload, as: UTF8.self))")
            }
            finished.withLock { $0 = true }
        })
        let harness = try Self.harness(echo: route)
        let replies = try await offPool {
            let (client, _) = try Self.open(harness.port, path: "/ws/echo")
            try client.send(WSClient.bytes([.text("a"), .binary(Array("b".utf8))]))
            let replies = [try Self.readFrame(client), try Self.readFrame(client)]
            try client.send(WSClient.bytes(.close(.normalClosure)))
            _ = try Self.readFrame(client)
            return replies
        }
        let clock = ContinuousClock(), deadline = clock.now + .seconds(5)
        while !finished.withLock({ $0 }) && clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        await harness.server.stop()
        #expect(replies == [.text("1: a"), .text("2: b")])
        #expect(finished.withLock { $0 })
    }
}
