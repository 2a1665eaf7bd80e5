import Foundation
import Logging
@testable import HTTPServer

/// Starts a real `Server` on an ephemeral loopback port for one test, with test routes.
struct ServerHarness {
    let server: Server
    let port: UInt16

    init(configure: (inout HTTPServerConfiguration) -> Void = { _ in }, routes: (inout HTTPRouter) -> Void = { _ in }) throws {
        var configuration = HTTPServerConfiguration(listenAddresses: [.loopback(port: 0)])
        configuration.shutdownGracePeriod = .seconds(3)
        configure(&configuration)
        var router = HTTPRouter()
        router.add(.get, "/hello") { _ in .text("hello\n") }
        router.add(.get, "/dynamic") { _ in HTTPResponse(contentType: "text/plain", body: Array(repeating: 0x61, count: 200)) }
        router.add(.post, "/count") { request in
            var total = 0
            for try await chunk in request.body { total += chunk.count }
            return .text("\(total)")
        }
        router.add(.post, "/ignore") { _ in .text("ignored") }
        router.add(.get, "/slow") { _ in
            try await Task.sleep(for: .milliseconds(600))
            return .text("slow done")
        }
        router.add(.get, "/fail") { _ in throw CancellationError() }
        routes(&router)
        var logger = Logger(label: "test-server")
        logger.logLevel = .critical
        server = Server(configuration: configuration, handler: router, logger: logger)
        port = try server.start()[0].port
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
}

/// Runs a command-line client (curl, python) and returns its exit status and output.
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// Blocks (off the cooperative pool) until `condition` holds or `timeout` passes; returns whether
/// it held. For waiting on the server's state instead of sleeping a fixed time.
@discardableResult
func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        Thread.sleep(forTimeInterval: 0.005)
    }
    return true
}

/// Runs blocking client code off the cooperative pool, so the in-process server keeps serving.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
