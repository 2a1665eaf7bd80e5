import AWS
import Foundation
import ProcessSpawn
#if canImport(Glibc)
import Glibc
#endif

/// A moto server for integration tests.
///
/// `MotoServer.shared()` is the one server of the test process: `MOTO_ENDPOINT` when scripts/test
/// started one, otherwise `.venv/bin/moto_server` on a free loopback port, started on first use
/// and stopped when the process exits. `MotoServer.startPrivate()` starts a separate server for
/// suites that flip global moto state (signature checking), so they never disturb the others.
public struct MotoServer: Sendable {
    /// moto's base URL, e.g. http://127.0.0.1:PORT.
    public let endpoint: URL
    public let port: UInt16
    /// The wrapper process we started (nil for an external `MOTO_ENDPOINT` server).
    let processID: pid_t?

    /// The keys moto accepts while signature checking is off (LOCAL-AWS.md: explicit test keys).
    public static let testCredentials = AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")
    public static let region = "us-east-1"

    /// The process-wide shared server.
    public static func shared() async throws -> MotoServer {
        try await MotoServerRegistry.instance.shared()
    }

    /// Starts a server of our own; call `stop()` when done (it is also stopped at process exit).
    /// Blocks while moto starts (about half a second): short enough not to matter for the
    /// cooperative pool, and callable from synchronous set-up code.
    public static func startPrivate() throws -> MotoServer {
        var lastError: Error?
        // The free port can be taken between probing and moto's bind: try a few.
        for _ in 0..<3 {
            do { return try launch(port: try LoopbackHTTP.freePort()) } catch { lastError = error }
        }
        throw lastError ?? LoopbackHTTP.Failure(description: "moto did not start")
    }

    /// Stops a server we started (no-op for an external one). moto needs ~2.5 s to exit; the
    /// watchdog shell waits for it, so this returns at once.
    public func stop() {
        guard let processID else { return }
        MotoProcessReaper.instance.stop(processID)
    }

    // MARK: Client configuration

    /// A client configuration pointed at this server, with test keys unless others are given.
    /// Transient faults (a connection moto resets while it is busy with another module's tests,
    /// a 5xx) are retried twice, as every production client retries them: a test's own
    /// bookkeeping must not fail on them. Errors that are answers (403, NoSuchKey) are never
    /// retried; a test about the first transient failure itself passes `retryPolicy: .none`.
    public func configuration(credentials: AWSCredentials = MotoServer.testCredentials,
                              region: String = MotoServer.region,
                              retryPolicy: AWSRetryPolicy = MotoServer.harnessRetryPolicy) -> AWSClientConfiguration {
        AWSClientConfiguration(region: region, endpointURL: endpoint,
                               credentialsProvider: StaticCredentialsProvider(credentials),
                               retryPolicy: retryPolicy)
    }

    /// Three attempts, 50 ms backoff base: enough for a dropped connection, quick to give up.
    public static let harnessRetryPolicy = AWSRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(50),
                                                          maxDelay: .seconds(1))

    // MARK: Control API

    /// Turns moto's signature checking on or off. Global to this server: only use on a private one.
    public func setSignatureChecking(_ enabled: Bool) throws {
        let result = try LoopbackHTTP.request(port: port, method: "POST", path: "/moto-api/reset-auth",
                                              body: enabled ? "0" : "inf")
        guard result.status == 200 else {
            throw LoopbackHTTP.Failure(description: "reset-auth answered \(result.status): \(result.body.prefix(200))")
        }
    }

    /// Whether the control API answers.
    public func isReady() -> Bool {
        (try? LoopbackHTTP.request(port: port, method: "GET", path: "/moto-api/").status) == 200
    }

    // MARK: Launching

    static func external(_ text: String) throws -> MotoServer {
        guard let url = URL(string: text), let port = url.port, let host = url.host,
              host == "127.0.0.1" || host == "localhost" || host == "::1" else {
            throw LoopbackHTTP.Failure(description: "MOTO_ENDPOINT must be a loopback URL with a port, got '\(text)'")
        }
        return MotoServer(endpoint: url, port: UInt16(port), processID: nil)
    }

    /// Starts moto behind a watchdog shell: the shell kills moto when it is told to (TERM) or when
    /// the test process disappears without running its exit handlers (a crash), so no moto
    /// outlives the tests.
    static func launch(port: UInt16) throws -> MotoServer {
        let motoPath = TestPaths.venv.appendingPathComponent("bin/moto_server").path
        guard FileManager.default.isExecutableFile(atPath: motoPath) else {
            throw LoopbackHTTP.Failure(description: "moto is not installed at \(motoPath): run scripts/setup")
        }
        let script = """
            "$1" -H 127.0.0.1 -p "$2" & moto=$!
            trap 'kill -TERM $moto 2>/dev/null; wait $moto; exit 0' TERM INT HUP
            while kill -0 "$3" 2>/dev/null && kill -0 $moto 2>/dev/null; do sleep 1 & wait $!; done
            kill -TERM $moto 2>/dev/null; wait $moto
            """
        var environment = ProcessInfo.processInfo.environment
        // LOCAL-AWS.md: never let botocore inside moto look for instance metadata; explicit keys.
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["AWS_ACCESS_KEY_ID"] = testCredentials.accessKeyID
        environment["AWS_SECRET_ACCESS_KEY"] = testCredentials.secretAccessKey
        environment["AWS_DEFAULT_REGION"] = region
        environment.removeValue(forKey: "AWS_PROFILE")
        environment.removeValue(forKey: "AWS_SESSION_TOKEN")
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(port)-\(getpid()).log")
        let pid = try UnmaskedSpawn.spawn(
            executable: "/bin/sh",
            arguments: ["-c", script, "moto-watchdog", motoPath, String(port), String(getpid())],
            environment: environment, log: log)
        MotoProcessReaper.instance.register(pid)
        let server = MotoServer(endpoint: URL(string: "http://127.0.0.1:\(port)")!, port: port, processID: pid)
        // Ready in ~0.5 s on this machine; allow 20 s on a loaded one.
        for _ in 0..<200 {
            if server.isReady() { return server }
            if UnmaskedSpawn.reap(pid) != nil { break }
            usleep(100_000)
        }
        server.stop()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw LoopbackHTTP.Failure(description: "moto did not become ready on port \(port): \(output.suffix(500))")
    }
}

/// Starts the shared server once, even when many tests ask at the same time.
actor MotoServerRegistry {
    static let instance = MotoServerRegistry()
    private var server: MotoServer?

    private var starting: Task<MotoServer, Error>?

    func shared() async throws -> MotoServer {
        if let server { return server }
        // Callers arriving while the server starts wait for the same start (actor reentrancy
        // would otherwise let each of them start a server of its own).
        if let starting { return try await starting.value }
        let task = Task<MotoServer, Error> {
            if let text = ProcessInfo.processInfo.environment["MOTO_ENDPOINT"], !text.isEmpty {
                return try MotoServer.external(text)
            }
            return try MotoServer.startPrivate()
        }
        starting = task
        do {
            let started = try await task.value
            server = started
            return started
        } catch {
            starting = nil
            throw error
        }
    }
}

/// Remembers the moto processes this test process started and stops them at exit.
///
/// `@unchecked Sendable`: the only state, the set of process ids, is guarded by `lock`.
final class MotoProcessReaper: @unchecked Sendable {
    static let instance = MotoProcessReaper()
    private let lock = NSLock()
    private var processIDs: Set<pid_t> = []

    private init() {
        // A C function pointer cannot capture; it reaches the reaper through the static.
        atexit { MotoProcessReaper.instance.stopAll() }
    }

    func register(_ pid: pid_t) {
        lock.lock()
        processIDs.insert(pid)
        lock.unlock()
    }

    /// Sends TERM to the watchdog shell we started (only ever a pid we registered).
    func stop(_ pid: pid_t) {
        lock.lock()
        let known = processIDs.remove(pid) != nil
        lock.unlock()
        if known { kill(pid, SIGTERM) }
    }

    func stopAll() {
        lock.lock()
        let all = processIDs
        processIDs.removeAll()
        lock.unlock()
        for pid in all { kill(pid, SIGTERM) }
    }
}
