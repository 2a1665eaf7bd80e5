import AWS
import CommandSupport
import Foundation
import Logging
import Pipeline
import ProcessSpawn
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// moto, started by `webtier` itself when its endpoint is loopback and nothing listens there, so
/// that `swift run webtier` in a set-up checkout brings up the whole local system as scripts/run
/// does. It is our child: stopped after the web tier and its workers (they drain against it), and
/// sent SIGTERM by the kernel should the web tier die without stopping it.
final class LocalAWSServer: Sendable {
    let endpoint: String
    let logFile: URL
    let stopGrace: Duration
    let logger: Logger
    private let keeper: Keeper

    var processID: pid_t { keeper.processID }
    var hasExited: Bool { keeper.exited.load(ordering: .acquiring) }

    private init(keeper: Keeper, endpoint: String, logFile: URL, stopGrace: Duration, logger: Logger) {
        self.keeper = keeper
        self.logger = logger
        self.endpoint = endpoint
        self.logFile = logFile
        self.stopGrace = stopGrace
    }

    /// Starts moto for `configuration` when its endpoint is loopback and nothing accepts a
    /// connection there; nil when there is nothing to start (real AWS, or a server already there).
    static func startIfAbsent(_ configuration: Configuration, environment: [String: String],
                              logger: Logger) async throws(LocalAWSError) -> LocalAWSServer? {
        guard let text = configuration.aws.endpointURL, let url = URL(string: text),
              let (host, port) = LoopbackProbe.loopbackAddress(of: url),
              !LoopbackProbe.accepts(host: host, port: port) else { return nil }
        let settings = configuration.aws.localServer
        guard settings.startWhenAbsent else { throw .absent(endpoint: text) }
        let venv = URL(fileURLWithPath: settings.venv,
                       relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        let motoServer = venv.appendingPathComponent("bin/moto_server").path
        let python = venv.appendingPathComponent("bin/python").path
        guard FileManager.default.isExecutableFile(atPath: motoServer), FileManager.default.isExecutableFile(atPath: python)
        else { throw .notSetUp(endpoint: text, motoServer: motoServer) }

        let logFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("elastic-classifier-moto-\(port)-\(getpid()).log")
        let arguments = ["-c", deathSignalLauncher, String(getpid()), motoServer, "-H", host, "-p", String(port)]
        let keeper: Keeper
        do {
            keeper = try Keeper.spawn(executable: python, arguments: arguments,
                                      environment: motoEnvironment(environment, region: configuration.aws.region),
                                      log: logFile)
        } catch {
            throw .spawnFailed(reason: error.description)
        }
        let server = LocalAWSServer(keeper: keeper, endpoint: text, logFile: logFile,
                                    stopGrace: .seconds(settings.stopGraceSeconds), logger: logger)
        logger.info("nothing answered at the local AWS endpoint: started moto from the venv",
                    metadata: ["endpoint": "\(text)", "pid": "\(server.processID)", "log": "\(logFile.path)"])
        let timeout = Duration.seconds(settings.startTimeoutSeconds)
        let deadline = ContinuousClock.now + timeout
        while LoopbackProbe.status(host: host, port: port, path: "/moto-api/") != 200 {
            guard ContinuousClock.now < deadline, !server.hasExited else {
                await server.stop()
                let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
                throw .notReady(endpoint: text, seconds: settings.startTimeoutSeconds, logFile: logFile.path,
                                logTail: String(log.suffix(1500)))
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return server
    }

    /// SIGTERM, then SIGKILL if moto has not exited after `stopGrace`.
    func stop() async {
        guard !hasExited else { return }
        logger.info("stopping the local AWS (moto) it started", metadata: ["pid": "\(processID)"])
        kill(processID, SIGTERM)
        let deadline = ContinuousClock.now + stopGrace
        while !hasExited, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        guard !hasExited else { return }
        kill(processID, SIGKILL)
        let killed = ContinuousClock.now + .seconds(5)
        while !hasExited, ContinuousClock.now < killed { try? await Task.sleep(for: .milliseconds(50)) }
    }

    /// moto gets the web tier's environment without its AWS settings, plus explicit test keys and
    /// no instance metadata (LOCAL-AWS.md: botocore inside moto must never look for it).
    static func motoEnvironment(_ environment: [String: String], region: String) -> [String: String] {
        var result = environment.filter { !$0.key.hasPrefix("AWS_") }
        let keys = CredentialsChainPolicy.motoTestCredentials
        result["AWS_ACCESS_KEY_ID"] = keys.accessKeyID
        result["AWS_SECRET_ACCESS_KEY"] = keys.secretAccessKey
        result["AWS_DEFAULT_REGION"] = region
        result["AWS_EC2_METADATA_DISABLED"] = "true"
        return result
    }

    /// Run by the venv's Python before it becomes moto: asks the kernel for SIGTERM when its
    /// parent goes (PR_SET_PDEATHSIG, which survives exec; posix_spawn cannot set it), and gives
    /// up if the parent is already gone. Arguments: parent pid, then moto's argv.
    static let deathSignalLauncher = """
        import ctypes, os, signal, sys
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
        if os.getppid() != int(sys.argv[1]): sys.exit(0)
        os.execv(sys.argv[2], sys.argv[2:])
        """

    /// A thread of our own that spawns the child and then waits for it. The parent-death signal
    /// follows the *thread* that spawned, so it must live exactly as long as the child: a pool
    /// thread could retire while moto runs and take it down.
    private final class Keeper: Sendable {
        let processID: pid_t
        let exited = Atomic<Bool>(false)

        private init(processID: pid_t) { self.processID = processID }

        static func spawn(executable: String, arguments: [String], environment: [String: String],
                          log: URL) throws(UnmaskedSpawn.Failure) -> Keeper {
            let handOver = HandOver()
            let thread = Thread {
                do throws(UnmaskedSpawn.Failure) {
                    // Its own process group: a Ctrl-C on the terminal reaches the web tier alone,
                    // which drains its workers against moto before stopping it.
                    let pid = try UnmaskedSpawn.spawn(executable: executable, arguments: arguments,
                                                      environment: environment, log: log, newProcessGroup: true)
                    let keeper = Keeper(processID: pid)
                    handOver.put(.success(keeper))
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) == -1, errno == EINTR {}
                    keeper.exited.store(true, ordering: .releasing)
                } catch {
                    handOver.put(.failure(error))
                }
            }
            thread.name = "local-aws-keeper"
            thread.start()
            return try handOver.take().get()
        }
    }

    /// The keeper thread's one answer to the thread that started it.
    private final class HandOver: Sendable {
        private let ready = DispatchSemaphore(value: 0)
        private let value = Mutex<Result<Keeper, UnmaskedSpawn.Failure>?>(nil)

        func put(_ result: Result<Keeper, UnmaskedSpawn.Failure>) {
            value.withLock { $0 = result }
            ready.signal()
        }

        func take() -> Result<Keeper, UnmaskedSpawn.Failure> {
            ready.wait()
            return value.withLock { $0 }!
        }
    }
}
