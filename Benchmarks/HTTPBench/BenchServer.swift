import Foundation
import Glibc

/// A server process under test, with its port and a way to sample its memory.
final class BenchServer: RSSSampler {
    let name: String
    let port: UInt16
    let process: Process
    /// nginx serves from worker processes: their RSS counts too.
    let includesChildren: Bool

    init(name: String, port: UInt16, process: Process, includesChildren: Bool = false) {
        self.name = name
        self.port = port
        self.process = process
        self.includesChildren = includesChildren
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// `HTTPFloorServer` answers only the dynamic response, to anything.
    var servesOnlyDynamic: Bool { name == "floor" }

    static func ours(binary: String, root: String, name: String = "ours") throws -> BenchServer {
        try started(binary: binary, arguments: ["--port", "0", "--root", root, "--log-level", "error"], name: name)
    }

    /// `HTTPFloorServer`: our event loops and tasks with no HTTP work.
    static func floor(binary: String) throws -> BenchServer {
        try started(binary: binary, arguments: ["--port", "0"], name: "floor")
    }

    /// Starts a server that prints `LISTENING <port>` once bound.
    private static func started(binary: String, arguments: [String], name: String) throws -> BenchServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line = output.fileHandleForReading.readLine()
        guard let portText = line?.split(separator: " ").last, let port = UInt16(portText) else {
            process.terminate()
            throw BenchError.serverDidNotStart("\(name): \(line ?? "no output")")
        }
        return BenchServer(name: name, port: port, process: process)
    }

    static func flask(python: String, app: String, root: String) throws -> BenchServer {
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [app, "--port", "\(port)", "--root", root]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return BenchServer(name: "flask", port: port, process: process)
    }

    static func nginx(binary: String, workspace: Workspace) throws -> BenchServer {
        let port = try freePort()
        let config = try workspace.nginxConfig(port: port)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-c", config, "-p", workspace.directory, "-e", workspace.directory + "/nginx-error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return BenchServer(name: "nginx", port: port, process: process, includesChildren: true)
    }

    /// Polls until a request succeeds (Flask and nginx print nothing useful when ready).
    func waitUntilServing(path: String) throws {
        for _ in 0..<100 {
            if FreshConnectionProbe.request(port: port, path: path) != nil { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw BenchError.serverDidNotStart(name)
    }

    func stop() {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        process.interrupt() // SIGINT: nginx fast shutdown, Flask KeyboardInterrupt, ours graceful
        for _ in 0..<80 where process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { kill(pid, SIGKILL) }
        // Poll rather than waitUntilExit, which needs a run loop inside an async command.
        for _ in 0..<50 where process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
    }

    func cpuSeconds() -> Double {
        var pids = [process.processIdentifier]
        if includesChildren { pids += ProcFS.children(of: process.processIdentifier) }
        return pids.reduce(0) { $0 + ProcFS.cpuSeconds(pid: $1) }
    }

    /// Resident memory now, in bytes (the process plus, for nginx, its workers).
    func residentBytes() -> Int {
        var pids = [process.processIdentifier]
        if includesChildren { pids += ProcFS.children(of: process.processIdentifier) }
        return pids.reduce(0) { $0 + ProcFS.residentBytes(pid: $1) }
    }
}

enum BenchError: Error, CustomStringConvertible {
    case serverDidNotStart(String)
    case wrkFailed(String)
    var description: String {
        switch self {
        case let .serverDidNotStart(name): return "server did not start: \(name)"
        case let .wrkFailed(output): return "wrk failed: \(output)"
        }
    }
}

/// A free loopback port (bind to 0, read it back, release it).
func freePort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return UInt16(bigEndian: address.sin_port)
}

extension FileHandle {
    /// One line from a pipe, read byte by byte so nothing after it is consumed.
    func readLine() -> String? {
        var bytes: [UInt8] = []
        while true {
            let data = readData(ofLength: 1)
            guard let byte = data.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == 0x0A { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}

/// Reads /proc for memory figures.
enum ProcFS {
    static func residentBytes(pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kilobytes * 1024
        }
        return 0
    }

    /// utime + stime from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s).
    static func cpuSeconds(pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name, field 3 (state) is index 0: utime is index 11, stime 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func children(of pid: Int32) -> [Int32] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
