import Foundation
import Synchronization
import Testing
@testable import HTTPServer

/// The server against exact bytes on a raw socket: pipelining, hostile requests, slow clients.
@Suite(.serialized) struct ServerRawSocketTests {
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let harness = try ServerHarness()
        let responses = try await offPool {
            let client = try RawClient(port: harness.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\nPOST /count HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcde"
                + "GET /nope HTTP/1.1\r\nHost: h\r\n\r\nHEAD /dynamic HTTP/1.1\r\nHost: h\r\n\r\nGET /hello HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            return [try client.readResponse(), try client.readResponse(), try client.readResponse(),
                    try client.readResponse(forHead: true), try client.readResponse(), ]
                + [try client.isClosedByServer() ? RawClient.Response(status: 0, headers: [:], body: []) : client.readResponse()]
        }
        await harness.server.stop()
        #expect(responses.map(\.status) == [200, 200, 404, 200, 200, 0])
        #expect(responses[1].text == "5")
        #expect(responses[3].headers["Content-Length"] == "200")
        #expect(responses[4].headers["Connection"] == "close")
    }

    @Test func http10KeepAliveIsAnnouncedAndHonoured() async throws {
        let harness = try ServerHarness()
        let (first, second, closed) = try await offPool {
            let client = try RawClient(port: harness.port)
            try client.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let first = try client.readResponse()
            try client.send("GET /hello HTTP/1.0\r\n\r\n")
            let second = try client.readResponse()
            return (first, second, try client.isClosedByServer())
        }
        await harness.server.stop()
        #expect(first.headers["Connection"] == "keep-alive")
        #expect(second.status == 200)
        #expect(second.headers["Connection"] == "close")
        #expect(closed, "HTTP/1.0 without keep-alive closes")
    }

    struct HostileCase: Sendable, CustomTestStringConvertible {
        let name: String
        let request: String
        let status: Int
        var testDescription: String { name }
    }

    @Test("hostile requests get their status and the connection closes", arguments: [
        HostileCase(name: "CL + TE smuggling", request: "POST /count HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: h\r\n\r\n", status: 400),
        HostileCase(name: "duplicate differing CL", request: "POST /count HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", status: 400),
        HostileCase(name: "obs-fold", request: "GET /hello HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", status: 400),
        HostileCase(name: "space before colon", request: "GET /hello HTTP/1.1\r\nHost : h\r\n\r\n", status: 400),
        HostileCase(name: "bare LF", request: "GET /hello HTTP/1.1\nHost: h\n\n", status: 400),
        HostileCase(name: "TE gzip", request: "POST /count HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", status: 501),
        HostileCase(name: "bad chunk size", request: "POST /count HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", status: 400),
        HostileCase(name: "chunk size overflow", request: "POST /count HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000000\r\n", status: 400),
        HostileCase(name: "long URI", request: "GET /\(String(repeating: "u", count: 9000)) HTTP/1.1\r\nHost: h\r\n\r\n", status: 414),
        HostileCase(name: "many headers", request: "GET / HTTP/1.1\r\nHost: h\r\n" + (0..<150).map { "X-\($0): 1\r\n" }.joined() + "\r\n", status: 431),
        HostileCase(name: "unknown method", request: "PURGE / HTTP/1.1\r\nHost: h\r\n\r\n", status: 501),
        HostileCase(name: "HTTP/2 version", request: "GET / HTTP/2.0\r\nHost: h\r\n\r\n", status: 505),
        HostileCase(name: "POST without length", request: "POST /count HTTP/1.1\r\nHost: h\r\n\r\n", status: 411),
        HostileCase(name: "no Host", request: "GET /hello HTTP/1.1\r\n\r\n", status: 400),
        HostileCase(name: "binary garbage", request: "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\r\n\r\n", status: 400),
    ])
    func hostile(_ testCase: HostileCase) async throws {
        let harness = try ServerHarness()
        let (response, closed) = try await offPool {
            let client = try RawClient(port: harness.port)
            try client.send(testCase.request)
            let response = try client.readResponse()
            return (response, try client.isClosedByServer())
        }
        await harness.server.stop()
        #expect(response.status == testCase.status)
        #expect(response.headers["Connection"] == "close")
        #expect(closed, "the smuggled follow-up request is never answered")
    }

    @Test func slowHeadersGet408AndClose() async throws {
        let harness = try ServerHarness(configure: { $0.headerReadTimeout = .milliseconds(400) })
        let (response, closed) = try await offPool {
            let client = try RawClient(port: harness.port)
            try client.send("GET /hello HTTP/1.1\r\nHo")
            Thread.sleep(forTimeInterval: 0.2)
            try client.send("st: h\r\nX-Slow: 1\r\n") // still trickling: the deadline counts from the first byte
            return (try client.readResponse(), try client.isClosedByServer())
        }
        await harness.server.stop()
        #expect(response.status == 408)
        #expect(closed)
    }

    @Test func stalledBodyGets408() async throws {
        let harness = try ServerHarness(configure: { $0.bodyIdleTimeout = .milliseconds(400) })
        let response = try await offPool {
            let client = try RawClient(port: harness.port)
            try client.send("POST /count HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nonly ten b")
            return try client.readResponse()
        }
        await harness.server.stop()
        #expect(response.status == 408)
    }

    @Test func idleKeepAliveConnectionIsClosedQuietly() async throws {
        let harness = try ServerHarness(configure: { $0.keepAliveTimeout = .milliseconds(300) })
        let (first, closed) = try await offPool {
            let client = try RawClient(port: harness.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
            let first = try client.readResponse()
            return (first, try client.isClosedByServer())
        }
        await harness.server.stop()
        #expect(first.status == 200)
        #expect(closed, "closed after the keep-alive timeout without a 408")
    }

    @Test func connectionsOverTheCapGet503() async throws {
        let harness = try ServerHarness(configure: { $0.maxConnections = 4 })
        let (refused, served) = try await offPool {
            let held = try (0..<4).map { _ in try RawClient(port: harness.port) }
            waitUntil { harness.server.connectionCount == 4 }
            let extra = try RawClient(port: harness.port)
            try extra.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
            let refused = try extra.readResponse()
            try held[0].send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
            let served = try held[0].readResponse()
            return (refused, served)
        }
        await harness.server.stop()
        #expect(refused.status == 503)
        #expect(refused.headers["Retry-After"] == "1")
        #expect(served.status == 200, "admitted connections keep working")
    }

    @Test func newClientIsServedWhile500IdleConnectionsAreOpen() async throws {
        let harness = try ServerHarness(configure: { $0.headerReadTimeout = .seconds(60) })
        let (response, openCount) = try await offPool {
            var idle: [RawClient] = []
            for index in 0..<500 {
                let client = try RawClient(port: harness.port)
                // Half send nothing, half a partial head (slowloris-style).
                if index % 2 == 1 { try client.send("GET /hello HTTP/1.1\r\nHost: h\r\n") }
                idle.append(client)
            }
            waitUntil { harness.server.connectionCount >= 500 }
            let openCount = harness.server.connectionCount
            let fresh = try RawClient(port: harness.port, timeoutSeconds: 5)
            try fresh.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
            let response = try fresh.readResponse()
            withExtendedLifetime(idle) {}
            return (response, openCount)
        }
        await harness.server.stop()
        #expect(openCount >= 500)
        #expect(response.status == 200)
        #expect(response.text == "hello\n")
    }

    @Test func gracefulStopFinishesInFlightRequestsAndRefusesNewOnes() async throws {
        let started = StartedFlag()
        let harness = try ServerHarness(routes: { router in
            router.add(.get, "/slow-started") { _ in
                started.value.store(true, ordering: .releasing)
                try await Task.sleep(for: .milliseconds(600))
                return .text("slow done")
            }
        })
        let port = harness.port
        let slow = Task {
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET /slow-started HTTP/1.1\r\nHost: h\r\n\r\n")
                return try client.readResponse()
            }
        }
        let idleClosed = Task {
            try await offPool {
                let client = try RawClient(port: port)
                return try client.isClosedByServer()
            }
        }
        // Stop once the slow request is in its handler and the idle connection is accepted.
        try await offPool { waitUntil { started.value.load(ordering: .acquiring) && harness.server.connectionCount == 2 } }
        await harness.server.stop()
        let response = try await slow.value
        #expect(response.status == 200)
        #expect(response.text == "slow done")
        #expect(response.headers["Connection"] == "close")
        #expect(try await idleClosed.value)
        #expect(throws: RawClient.ClientError.self) { _ = try RawClient(port: port) }
    }

    @Test func ipv6LoopbackListener() async throws {
        let harness: ServerHarness
        do {
            harness = try ServerHarness(configure: { $0.listenAddresses = [try! SocketAddress(host: "::1", port: 0)] })
        } catch SocketError.systemCall(_, let code) where code == EADDRNOTAVAIL || code == EAFNOSUPPORT {
            try Test.cancel("no IPv6 loopback here")
        }
        let response = try await offPool {
            let client = try RawClient(port: harness.port, host: "::1")
            try client.send("GET /hello HTTP/1.1\r\nHost: [::1]\r\n\r\n")
            return try client.readResponse()
        }
        await harness.server.stop()
        #expect(response.status == 200)
    }
}

/// Set by a handler when it has started (an escaping closure cannot capture an `Atomic` itself).
final class StartedFlag: Sendable {
    let value = Atomic(false)
}
