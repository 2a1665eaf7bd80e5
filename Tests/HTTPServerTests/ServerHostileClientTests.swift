import Foundation
import Glibc
import Testing
import TestSupport
@testable import HTTPServer

/// Clients that try to hold the server's resources (time, connections, descriptors) on the real
/// server over loopback. Each test says what the client observes.
@Suite struct ServerHostileClientTests {
    @Test("a body dripped one byte at a time, each inside the idle timeout, gets 408 once it falls below the minimum rate")
    func bodyDripIsClosed() async throws {
        let harness = try ServerHarness(configure: {
            $0.bodyIdleTimeout = .seconds(2)
            $0.bodyReadGracePeriod = .seconds(1)
            $0.bodyMinimumBytesPerSecond = 10_000
        })
        let (dripped, response, closed) = try await offPool {
            let client = try RawClient(port: harness.port)
            try client.send("POST /count HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n")
            // One byte every 300 ms never trips the 2 s idle timeout; only a total deadline ends it.
            var dripped = 0
            while dripped < 40 && !client.isReadable(withinMilliseconds: 300) {
                try client.send([0x61])
                dripped += 1
            }
            let response = try client.readResponse()
            return (dripped, response, try client.isClosedByServer())
        }
        await harness.server.stop()
        #expect(response.status == 408)
        #expect(closed)
        // Closed after about the 1 s budget (3-4 bytes), long before the drip would have ended.
        #expect(dripped < 40, "the server let the drip go on (\(dripped) bytes)")
    }

    @Test("a body that arrives steadily is not cut by the total deadline")
    func steadyBodyPasses() async throws {
        let harness = try ServerHarness(configure: {
            $0.bodyReadGracePeriod = .milliseconds(200)
            $0.bodyMinimumBytesPerSecond = 1_000
        })
        let response = try await offPool {
            let client = try RawClient(port: harness.port)
            try client.send("POST /count HTTP/1.1\r\nHost: h\r\nContent-Length: 300000\r\n\r\n")
            for _ in 0..<30 { try client.send([UInt8](repeating: 0x62, count: 10_000)) }
            return try client.readResponse()
        }
        await harness.server.stop()
        #expect(response.status == 200)
        #expect(response.text == "300000")
    }

    @Test("one client address cannot hold more than its connection cap; other addresses are still served")
    func perAddressConnectionCap() async throws {
        let harness = try ServerHarness(configure: { $0.maxConnectionsPerAddress = 2 })
        let (held, refused, other, afterOneLeft) = try await offPool {
            let holders = try (0..<2).map { _ in try RawClient(port: harness.port, sourceHost: "127.0.0.2") }
            var held: [Int] = []
            for holder in holders {  // a response proves the server admitted the connection
                try holder.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
                held.append(try holder.readResponse().status)
            }
            let third = try RawClient(port: harness.port, sourceHost: "127.0.0.2")
            try third.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
            let refused = try third.readResponse()

            let stranger = try RawClient(port: harness.port, sourceHost: "127.0.0.3")
            try stranger.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
            let other = try stranger.readResponse().status

            try holders[0].send("GET /hello HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            _ = try holders[0].readResponse()
            for _ in 0..<500 where harness.server.connectionCount > 2 { usleep(10_000) }
            let next = try RawClient(port: harness.port, sourceHost: "127.0.0.2")
            try next.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
            return (held, refused, other, try next.readResponse().status)
        }
        await harness.server.stop()
        #expect(held == [200, 200])
        #expect(refused.status == 503)
        #expect(refused.text.contains("too many connections from your address"))
        #expect(other == 200)
        #expect(afterOneLeft == 200)
    }

    @Test("HTTP/1.0 with Transfer-Encoding: chunked is refused with 400 and the connection closed (RFC 9112 §6.1)")
    func http10ChunkedRefused() async throws {
        let harness = try ServerHarness()
        let (response, closed) = try await offPool {
            let client = try RawClient(port: harness.port)
            try client.send("POST /count HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /hello HTTP/1.0\r\n\r\n")
            return (try client.readResponse(), try client.isClosedByServer())
        }
        await harness.server.stop()
        #expect(response.status == 400)
        #expect(closed)
    }

    // MARK: Descriptors (in a child server, so the test runner keeps its own limit)

    /// Starts `HTTPTestServer` with `arguments`; returns it and its port once it listens.
    static func startChild(_ arguments: [String]) async throws -> (ChildProcess, UInt16?) {
        let child = try ChildProcess(name: "http-test-server", executable: TestPaths.builtExecutable("HTTPTestServer"),
                                     arguments: arguments)
        let clock = ContinuousClock(), deadline = clock.now + .seconds(20)
        while clock.now < deadline && child.isRunning {
            if let line = child.output.split(separator: "\n").first(where: { $0.hasPrefix("LISTENING ") }) {
                return (child, UInt16(line.dropFirst("LISTENING ".count)))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return (child, nil)
    }

    @Test("out of descriptors (EMFILE), a waiting client is answered 503 and closed, not left hanging; served again once descriptors are free")
    func outOfDescriptorsAnswers503() async throws {
        let (child, port) = try await Self.startChild(["--open-file-limit", "128", "--max-connections", "64"])
        let listening = try #require(port, "HTTPTestServer did not start:\n\(child.output)")
        let outcome: (RawClient.Response, RawClient.Response, Bool, RawClient.Response, RawClient.Response)
        do {
            outcome = try await offPool {
                let holder = try RawClient(port: listening, timeoutSeconds: 5)
                try holder.send("POST /descriptors/hold HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
                let taken = try Step.run("hold") { try holder.readResponse() }
                // The process has no descriptor left: accept fails with EMFILE.
                let waiting = try RawClient(port: listening, timeoutSeconds: 5)
                try waiting.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
                let shed = try Step.run("read the 503") { try waiting.readResponse() }
                let shedClosed = try waiting.isClosedByServer()
                try holder.send("POST /descriptors/release HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
                let released = try Step.run("release") { try holder.readResponse() }
                let later = try RawClient(port: listening, timeoutSeconds: 5)
                try later.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
                return (taken, shed, shedClosed, released, try Step.run("served again") { try later.readResponse() })
            }
        } catch {
            Issue.record("\(error); server output:\n\(child.output.suffix(3000))")
            await child.stop()
            return
        }
        let (taken, shed, shedClosed, released, afterwards) = outcome
        await child.stop()
        #expect(taken.status == 200 && (Int(taken.text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0)
        #expect(shed.status == 503, "\(child.output.suffix(2000))")
        #expect(shed.text.contains("out of file descriptors"))
        #expect(shedClosed)
        #expect(released.status == 200)
        #expect(afterwards.status == 200)
        #expect(afterwards.text == "hello world\n")
    }

    @Test("a connection cap above the open-file limit stops the start with an error that says what to change")
    func connectionCapAboveOpenFileLimit() async throws {
        let (child, port) = try await Self.startChild(["--open-file-limit", "64", "--max-connections", "100"])
        let status = await child.waitForExit(timeout: .seconds(20))
        await child.stop()
        #expect(port == nil)
        #expect(status == 1)
        #expect(child.output.contains("the open-file limit (RLIMIT_NOFILE, 64) is below the 132 descriptors that 100 connections need"),
                "\(child.output)")
    }
}

/// Names the step of a multi-step client exchange that failed.
enum Step {
    struct Failure: Error, CustomStringConvertible { let description: String }


    static func run<T>(_ name: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw Failure(description: "\(name): \(error)") }
    }
}
