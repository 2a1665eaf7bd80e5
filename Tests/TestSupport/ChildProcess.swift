import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A process a test starts (a worker, a server, a Python helper), with its output kept in a log
/// file for the failure message, and stopped for sure when the test is done with it.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: `Process` is not Sendable; every access after `init` goes through `lock`.
    private let process = Process()
    private let lock = NSLock()
    public let logFile: URL
    public let name: String

    /// Starts `executable` with `arguments`; `environment` is added to a minimal environment that
    /// never lets an AWS SDK reach the real metadata address.
    public init(name: String, executable: URL, arguments: [String] = [], environment: [String: String] = [:],
                currentDirectory: URL? = nil) throws {
        self.name = name
        logFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        env["AWS_ACCESS_KEY_ID"] = env["AWS_ACCESS_KEY_ID"] ?? "testing"
        env["AWS_SECRET_ACCESS_KEY"] = env["AWS_SECRET_ACCESS_KEY"] ?? "testing"
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = handle
        process.standardError = handle
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        try process.run()
    }

    public var pid: Int32 { lock.withLock { process.processIdentifier } }
    public var isRunning: Bool { lock.withLock { process.isRunning } }

    /// The exit status once it has exited (nil while running).
    public var exitStatus: Int32? {
        lock.withLock { process.isRunning ? nil : process.terminationStatus }
    }

    public func signal(_ number: Int32) {
        let pid = self.pid
        if pid > 0 { kill(pid, number) }
    }

    /// Waits up to `timeout` for the process to exit; returns its status, or nil if still running.
    @discardableResult
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = exitStatus { return status }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return exitStatus
    }

    /// SIGTERM, then SIGKILL if it has not exited after `grace`.
    public func stop(grace: Duration = .seconds(5)) async {
        guard isRunning else { return }
        signal(SIGTERM)
        if await waitForExit(timeout: grace) == nil {
            signal(SIGKILL)
            await waitForExit(timeout: .seconds(5))
        }
    }

    /// The process's output so far (for failure messages and log assertions).
    public var output: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    deinit {
        // A test that forgot to stop its process must not leave it behind.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
