import Foundation
import ProcessSpawn
#if canImport(Glibc)
import Glibc
#endif

/// A process a test starts (a worker, a server, a Python helper), with its output kept in a log
/// file for failure messages, and stopped for sure when the test is done with it.
///
/// Spawned through `UnmaskedSpawn`, not `Foundation.Process`: tests run on Dispatch threads that
/// block SIGTERM, and a child started with that mask would ignore the very signals that the
/// drain and shutdown tests send.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: the mutable exit status is only touched under `lock`; the rest is immutable.
    private let lock = NSLock()
    private var status: Int32?
    public let pid: pid_t
    public let logFile: URL
    public let name: String

    /// Starts `executable` with `arguments`; `environment` is added to this process's environment,
    /// with AWS SDKs kept away from the real metadata address and given test keys.
    public init(name: String, executable: URL, arguments: [String] = [], environment: [String: String] = [:]) throws {
        self.name = name
        logFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
        var env = ProcessInfo.processInfo.environment
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        env["AWS_ACCESS_KEY_ID"] = env["AWS_ACCESS_KEY_ID"] ?? "testing"
        env["AWS_SECRET_ACCESS_KEY"] = env["AWS_SECRET_ACCESS_KEY"] ?? "testing"
        env.merge(environment) { _, new in new }
        pid = try UnmaskedSpawn.spawn(executable: executable.path, arguments: arguments,
                                      environment: env, log: logFile)
    }

    /// The exit status once it has exited (128 + signal number when a signal ended it), else nil.
    public var exitStatus: Int32? {
        lock.withLock {
            if let status { return status }
            status = UnmaskedSpawn.reap(pid)
            return status
        }
    }

    public var isRunning: Bool { exitStatus == nil }

    public func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
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

    /// Waits up to `timeout` for `text` to appear in the process's output (a log line saying it
    /// reached a state); false when it did not, or when the process exited first.
    public func waitForOutput(_ text: String, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            if !isRunning { return output.contains(text) }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return output.contains(text)
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
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var raw: Int32 = 0
            waitpid(pid, &raw, 0)
        }
    }
}
