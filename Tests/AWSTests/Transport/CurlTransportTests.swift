@testable import AWS
import Foundation
import Testing
import TestSupport

/// The libcurl transport against a real loopback HTTP server (Tests/python/aws/aws_fault_server.py).
@Suite struct CurlTransportTests {
    let transport = CurlTransport()

    func request(_ server: FaultServer, _ method: String, _ path: String, body: AWSRequestBody = .empty,
                 headers: AWSHeaders = [:], downloadTo: URL? = nil,
                 timeouts: AWSTimeouts = AWSTimeouts(connect: .seconds(2), request: .seconds(20))) -> HTTPTransportRequest {
        var headers = headers
        headers["Host"] = "127.0.0.1:\(server.port)"
        return HTTPTransportRequest(method: method, url: "\(server.endpoint.absoluteString)\(path)", headers: headers,
                                    body: body, timeouts: timeouts, downloadTo: downloadTo)
    }

    static func pattern(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    static func temporaryFile(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("awscore-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        return url
    }

    @Test("a body from memory arrives intact, as bytes or Data", arguments: [0, 1, 65_536, 300_001])
    func memoryBody(size: Int) async throws {
        let server = try await FaultServer.start()
        let payload = Self.pattern(size)
        for body in [AWSRequestBody.bytes(payload), .data(Data(payload))] {
            let response = try await transport.execute(request(server, "PUT", "/echo", body: body))
            #expect(response.status == 200)
            #expect(response.headers["x-echo-length"] == String(size))
            #expect(response.headers["X-Echo-SHA256"] == SHA256.hex(SHA256.hash(payload)))
            #expect(response.body == Data(payload))
        }
        let log = try server.log()
        // libcurl invents no Content-Type, and small bodies do not wait for 100 Continue.
        #expect(log.allSatisfy { $0.header("Content-Type") == nil && $0.header("Expect") == nil })
        await server.stop()
    }

    @Test func fileBodyIsStreamedWithExpectContinue() async throws {
        let server = try await FaultServer.start()
        let payload = Self.pattern(3 << 20)
        let file = try Self.temporaryFile(payload)
        defer { try? FileManager.default.removeItem(at: file) }
        let response = try await transport.execute(request(server, "POST", "/upload", body: .file(file)))
        #expect(response.status == 200)
        #expect(response.headers["X-Echo-Method"] == "POST")
        #expect(response.headers["X-Echo-SHA256"] == SHA256.hex(SHA256.hash(payload)))
        let logged = try #require(try server.log().first)
        #expect(logged.header("Expect")?.lowercased() == "100-continue")
        #expect(logged.header("Content-Length") == String(payload.count))
        await server.stop()
    }

    @Test func aRejectedExpectContinueUploadSendsNoBody() async throws {
        let server = try await FaultServer.start()
        let file = try Self.temporaryFile(Self.pattern(2 << 20))
        defer { try? FileManager.default.removeItem(at: file) }
        try server.plan([["reject_expect": 403, "body": "<Error><Code>AccessDenied</Code></Error>"]])
        let response = try await transport.execute(request(server, "PUT", "/bucket/key", body: .file(file)))
        #expect(response.status == 403)
        #expect(String(decoding: response.body, as: UTF8.self).contains("AccessDenied"))
        #expect(try server.log().first?.expect_rejected == true)
        await server.stop()
    }

    @Test func missingBodyFileIsAFileError() async throws {
        let server = try await FaultServer.start()
        let missing = URL(fileURLWithPath: "/nonexistent/awscore-\(UUID().uuidString)")
        let error = await #expect(throws: AWSTransportError.self) {
            try await transport.execute(request(server, "PUT", "/x", body: .file(missing)))
        }
        #expect(error?.kind == .file)
        #expect(error?.message.contains(missing.path) == true)
        #expect(try server.log().isEmpty)
        await server.stop()
    }

    @Test func downloadGoesToTheFileAndErrorsStayInMemory() async throws {
        let server = try await FaultServer.start()
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("awscore-dl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: target) }
        let size = 2_500_000
        let response = try await transport.execute(request(server, "GET", "/blob/\(size)", downloadTo: target))
        #expect(response.status == 200)
        #expect(response.file == target)
        #expect(response.body.isEmpty)
        let written = try Data(contentsOf: target)
        #expect(written.count == size)
        #expect(written == Data((0..<size).map { UInt8($0 % 251) }))
        // No partial files are left beside it.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path)
        #expect(!siblings.contains { $0.hasPrefix(".\(target.lastPathComponent).partial") })

        let missingTarget = target.appendingPathExtension("404")
        try server.plan([["status": 404, "body": "<Error><Code>NoSuchKey</Code></Error>"]])
        let notFound = try await transport.execute(request(server, "GET", "/blob/10", downloadTo: missingTarget))
        #expect(notFound.status == 404)
        #expect(notFound.file == nil)
        #expect(String(decoding: notFound.body, as: UTF8.self).contains("NoSuchKey"))
        #expect(!FileManager.default.fileExists(atPath: missingTarget.path))
        await server.stop()
    }

    @Test func totalTimeoutIsATypedError() async throws {
        let server = try await FaultServer.start()
        try server.plan([["delay": 3, "status": 200]])
        let error = await #expect(throws: AWSTransportError.self) {
            try await transport.execute(request(server, "GET", "/slow",
                                                timeouts: AWSTimeouts(connect: .seconds(2), request: .milliseconds(400))))
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.isRetryable == true)
        #expect(error?.description.contains("raise the timeout") == true)
        await server.stop()
    }

    @Test func refusedConnectionIsConnectionFailed() async throws {
        let port = try LoopbackHTTP.freePort()
        let request = HTTPTransportRequest(method: "GET", url: "http://127.0.0.1:\(port)/", headers: [:], body: .empty,
                                           timeouts: AWSTimeouts(connect: .seconds(1), request: .seconds(2)), downloadTo: nil)
        let error = await #expect(throws: AWSTransportError.self) { try await transport.execute(request) }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.isRetryable == true)
    }

    @Test func resetConnectionIsConnectionLost() async throws {
        let server = try await FaultServer.start()
        try server.plan([["reset": true]])
        let error = await #expect(throws: AWSTransportError.self) {
            try await transport.execute(request(server, "GET", "/reset"))
        }
        #expect(error?.kind == .connectionLost)
        await server.stop()
    }

    @Test func connectionsAreReused() async throws {
        let server = try await FaultServer.start()
        for _ in 0..<3 { _ = try await transport.execute(request(server, "GET", "/again")) }
        let ports = Set(try server.log().map(\.client_port))
        #expect(ports.count == 1, "three sequential requests should share one keep-alive connection, used \(ports)")
        await server.stop()
    }

    /// Sixteen requests that the server holds until all sixteen are in flight: this only
    /// completes if every blocking transfer has its own thread at the same time (as 16 SQS
    /// long polls would need).
    @Test func manyBlockingTransfersRunAtOnce() async throws {
        let server = try await FaultServer.start()
        let count = 16
        try server.plan(Array(repeating: ["barrier": count], count: count))
        let transport = self.transport
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<count {
                let request = request(server, "GET", "/poll/\(index)")
                group.addTask { try await transport.execute(request).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: count))
        await server.stop()
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try await FaultServer.start()
        try server.plan([["delay": 15, "status": 200]])
        let transport = self.transport
        let request = request(server, "GET", "/long-poll")
        let task = Task { try await transport.execute(request) }
        // Cancel once the server has the request (it then holds it for 15 s).
        let deadline = ContinuousClock.now + .seconds(10)
        while try server.log().isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try !server.log().isEmpty, "the request reached the server")
        task.cancel()
        let result = await task.result
        guard case .failure(let error as AWSTransportError) = result else {
            Issue.record("expected a cancelled transfer, got \(result)")
            await server.stop()
            return
        }
        #expect(error.kind == .cancelled)
        await server.stop()
    }

    @Test("header and method injection is refused before sending", arguments: [
        ("GET", "X-Ok", "a\r\nX-Injected: 1"),
        ("GET", "X-Bad Name", "v"),
        ("GET", "X-Colon:", "v"),
        ("GET / HTTP/1.1\r\nX", "X-Ok", "v"),
        ("GET", "X-Nul", "a\u{0}b"),
    ])
    func injectionIsRefused(method: String, name: String, value: String) async throws {
        let server = try await FaultServer.start()
        var headers = AWSHeaders()
        headers.add(name: name, value: value)
        let error = await #expect(throws: AWSTransportError.self) {
            try await transport.execute(request(server, method, "/x", headers: headers))
        }
        #expect(error?.kind == .invalidRequest)
        #expect(try server.log().isEmpty, "nothing reached the server")
        await server.stop()
    }

    @Test func headersWithEmptyValuesAndRepeatsAreSent() async throws {
        let server = try await FaultServer.start()
        var headers = AWSHeaders()
        headers["x-amz-meta-empty"] = ""
        headers.add(name: "X-Repeat", value: "a")
        headers.add(name: "X-Repeat", value: "b")
        _ = try await transport.execute(request(server, "GET", "/headers", headers: headers))
        let logged = try #require(try server.log().first)
        #expect(logged.header("x-amz-meta-empty") == "")
        #expect(logged.headers.filter { $0[0].lowercased() == "x-repeat" }.map { $0[1] } == ["a", "b"])
        await server.stop()
    }
}
