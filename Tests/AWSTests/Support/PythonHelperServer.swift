import Foundation
import TestSupport

/// A loopback server written in Python (Tests/python/aws/*.py, stdlib only) that a test starts,
/// scripts through `/__` control paths, and stops.
struct PythonHelperServer: Sendable {
    let process: ChildProcess
    let port: UInt16
    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    struct StartFailure: Error, CustomStringConvertible { var description: String }

    static func scriptURL(_ name: String) -> URL {
        TestPaths.repositoryRoot.appendingPathComponent("Tests/python/aws/\(name)")
    }

    /// The venv's interpreter when setup has run, else the system one (the helpers need only the stdlib).
    static var interpreter: URL {
        FileManager.default.isExecutableFile(atPath: TestPaths.python.path) ? TestPaths.python : URL(fileURLWithPath: "/usr/bin/python3")
    }

    /// Starts `script` with `arguments` and waits for its "READY <port>" line.
    static func start(_ script: String, arguments: [String] = []) async throws -> PythonHelperServer {
        let process = try ChildProcess(name: script, executable: interpreter,
                                       arguments: ["-u", scriptURL(script).path] + arguments)
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let line = process.output.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }),
               let port = UInt16(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) {
                return PythonHelperServer(process: process, port: port)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        await process.stop()
        throw StartFailure(description: "\(script) did not start:\n\(process.output)")
    }

    /// The helpers keep no state worth flushing, so they are killed outright (a child started
    /// from a test thread may inherit a blocked SIGTERM).
    func stop() async {
        process.signal(SIGKILL)
        await process.waitForExit(timeout: .seconds(5))
    }

    /// Sends a control request (`/__plan`, `/__log`, ...) and returns the body.
    @discardableResult
    func control(_ method: String, _ path: String, json: Any? = nil) throws -> Data {
        let body = try json.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) } ?? ""
        let response = try LoopbackHTTP.request(port: port, method: method, path: path, body: body,
                                                contentType: "application/json")
        guard response.status == 200 else { throw StartFailure(description: "\(path) answered \(response.status): \(response.body)") }
        return Data(response.body.utf8)
    }
}

/// `aws_fault_server.py`: scripted answers, an echo by default, and a request log.
struct FaultServer: Sendable {
    let server: PythonHelperServer
    var endpoint: URL { server.endpoint }
    var port: UInt16 { server.port }

    struct LoggedRequest: Decodable, Sendable {
        var method: String
        var path: String
        var headers: [[String]]
        var body_length: Int?
        var body_sha256: String?
        var client_port: Int
        var expect_rejected: Bool

        func header(_ name: String) -> String? {
            headers.first { $0[0].lowercased() == name.lowercased() }?[1]
        }
    }

    static func start() async throws -> FaultServer { FaultServer(server: try await PythonHelperServer.start("aws_fault_server.py")) }
    func stop() async { await server.stop() }

    /// Scripts the next answers, one per request, in order (then echo again).
    func plan(_ actions: [[String: Any]]) throws { try server.control("POST", "/__plan", json: ["actions": actions]) }

    func log() throws -> [LoggedRequest] {
        try JSONDecoder().decode([LoggedRequest].self, from: server.control("GET", "/__log"))
    }
}
