import Foundation
import Testing
@testable import HTTPServer

/// An upgrader that echoes bytes back, prefixed: proves the hand-over keeps buffered bytes and
/// gives a working raw connection.
struct EchoUpgrader: ConnectionUpgrader {
    func takeOver(_ connection: UpgradedConnection) async {
        do {
            if !connection.bufferedBytes.isEmpty { try await connection.write(Array("early:".utf8) + connection.bufferedBytes) }
            while true {
                let bytes = try await connection.read()
                if bytes.isEmpty { break }
                try await connection.write(Array("echo:".utf8) + bytes)
                if bytes.contains(UInt8(ascii: "!")) { break }
            }
        } catch {}
        connection.close()
    }
}

@Suite struct ServerUpgradeTests {
    @Test func upgradeHandsTheConnectionOverWithBufferedBytes() async throws {
        let harness = try ServerHarness(routes: { router in
            router.add(.get, "/raw") { request in
                guard request.headers.hasToken("upgrade", in: "Connection") else { return .error(.badRequest) }
                return .switchingProtocols(headers: ["Upgrade": "echo", "Connection": "Upgrade"], upgrader: EchoUpgrader())
            }
        })
        let (response, early, echoed, closed) = try await offPool {
            let client = try RawClient(port: harness.port)
            try client.send("GET /raw HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nFIRST")
            let response = try client.readResponse()
            func receive(_ count: Int) throws -> String { String(decoding: try client.bytes(count), as: UTF8.self) }
            let early = try receive(11)
            try client.send("ping!")
            let echoed = try receive(10)
            return (response, early, echoed, try client.isClosedByServer())
        }
        await harness.server.stop()
        #expect(response.status == 101)
        #expect(response.headers["Upgrade"] == "echo")
        #expect(response.headers["Connection"] == "Upgrade")
        #expect(early == "early:FIRST")
        #expect(echoed == "echo:ping!")
        #expect(closed)
    }
}
