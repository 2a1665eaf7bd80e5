import Foundation
import Testing
@testable import HTTPServer

/// The server against a real client: curl over loopback.
@Suite(.serialized) struct ServerCurlTests {
    static let curl = "/usr/bin/curl"

    @Test func keepAliveReusesOneConnection() async throws {
        let harness = try ServerHarness()
        let result = try await offPool {
            try run(Self.curl, ["-sv", "\(harness.baseURL)/hello", "\(harness.baseURL)/dynamic", "\(harness.baseURL)/hello"])
        }
        await harness.server.stop()
        #expect(result.status == 0)
        #expect(result.stdout == "hello\n" + String(repeating: "a", count: 200) + "hello\n")
        #expect(result.stderr.components(separatedBy: "Re-using existing connection").count == 3, "two reuses")
        #expect(result.stderr.contains("< Date: "))
    }

    @Test func chunkedUploadIsStreamedToTheHandler() async throws {
        let harness = try ServerHarness()
        let path = NSTemporaryDirectory() + "curl-upload-\(UUID().uuidString)"
        let size = 3_000_000
        FileManager.default.createFile(atPath: path, contents: Data((0..<size).map { UInt8(truncatingIfNeeded: $0) }))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await offPool {
            try run(Self.curl, ["-sv", "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(path)", "\(harness.baseURL)/count"])
        }
        await harness.server.stop()
        #expect(result.stdout == "\(size)")
        #expect(result.stderr.contains("> Transfer-Encoding: chunked"))
    }

    @Test func expectContinueGets100ThenTheAnswer() async throws {
        let harness = try ServerHarness()
        let path = NSTemporaryDirectory() + "curl-continue-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: path, contents: Data(count: 2_000_000))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await offPool {
            try run(Self.curl, ["-sv", "-H", "Expect: 100-continue", "--data-binary", "@\(path)", "\(harness.baseURL)/count"])
        }
        await harness.server.stop()
        #expect(result.stderr.contains("< HTTP/1.1 100 Continue"))
        #expect(result.stdout == "2000000")
    }

    @Test func expectContinueRefusedWithoutReadingTheBody() async throws {
        let harness = try ServerHarness()
        let path = NSTemporaryDirectory() + "curl-refuse-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: path, contents: Data(count: 2_000_000))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await offPool {
            try run(Self.curl, ["-sv", "-H", "Expect: 100-continue", "--data-binary", "@\(path)", "\(harness.baseURL)/ignore"])
        }
        await harness.server.stop()
        #expect(!result.stderr.contains("100 Continue"))
        #expect(result.stdout == "ignored")
        #expect(result.stderr.contains("< Connection: close"), "unread body: the connection closes")
    }

    @Test func headHasHeadersButNoBody() async throws {
        let harness = try ServerHarness()
        let result = try await offPool { try run(Self.curl, ["-sI", "\(harness.baseURL)/dynamic"]) }
        await harness.server.stop()
        #expect(result.stdout.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(result.stdout.contains("Content-Length: 200\r\n"))
        #expect(result.stdout.hasSuffix("\r\n\r\n"))
    }

    @Test func statusesForMissingRoutesMethodsAndFailures() async throws {
        let harness = try ServerHarness()
        let result = try await offPool {
            try run(Self.curl, ["-s", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code} ",
                                "\(harness.baseURL)/nope", "-X", "DELETE", "\(harness.baseURL)/hello"])
        }
        let failure = try await offPool { try run(Self.curl, ["-s", "-w", " %{http_code}", "\(harness.baseURL)/fail"]) }
        await harness.server.stop()
        #expect(result.stdout == "404 405 ")
        #expect(failure.stdout.hasSuffix(" 500"))
    }

    @Test func largeRequestBodyOverTheLimitIs413() async throws {
        let harness = try ServerHarness(configure: { $0.limits.maxBodyBytes = 1000 })
        let result = try await offPool {
            try run(Self.curl, ["-s", "-w", " %{http_code}", "--data-binary", String(repeating: "x", count: 5000), "\(harness.baseURL)/count"])
        }
        await harness.server.stop()
        #expect(result.stdout.hasSuffix(" 413"))
        #expect(result.stdout.contains("1000"))
    }
}
