import Foundation
import Logging
import Pipeline
import ProcessSpawn
#if canImport(Glibc)
import Glibc
#endif

/// The local fleet (the embedded default): each instance is an `apptier` process on this
/// machine, started with the web tier's own configuration and `worker.mode=local`.
///
/// A local worker scales itself in: after `worker.maxEmptyPollsBeforeShutdown` empty polls it
/// exits 0, and the next `instances()` reaps it, so it leaves the fleet by itself. The actor owns
/// the process table; nothing else waits for these pids.
///
/// With a `registryFile`, the workers it starts are recorded (pid, name, start time), and a new
/// fleet object on the same file (a restarted web tier) adopts the ones still running instead of
/// launching duplicates; adopted workers are listed, terminated and shut down like its own, but
/// they are not its children, so their exit status is not known.
public actor LocalProcessFleet: Fleet {
    /// How workers are started.
    public struct Launch: Sendable {
        /// The `apptier` binary.
        public var executable: URL
        /// Arguments before the per-worker ones (`--config FILE`, `--endpoint URL`, `--set k=v`).
        public var arguments: [String]
        /// The workers' full environment.
        public var environment: [String: String]
        /// Where each worker's stdout and stderr go (`<name>-<pid>.log`).
        public var logDirectory: URL
        /// Instance names are `<namePrefix><n>`.
        public var namePrefix: String
        /// How long a SIGTERM'd worker may drain before SIGKILL.
        public var terminationGrace: Duration
        /// Where the fleet records its workers for adoption after a restart; nil: no record.
        public var registryFile: URL?

        public init(executable: URL, arguments: [String], environment: [String: String], logDirectory: URL,
                    namePrefix: String = "app-tier-", terminationGrace: Duration = .seconds(30),
                    registryFile: URL? = nil) {
            self.executable = executable
            self.arguments = arguments
            self.environment = environment
            self.logDirectory = logDirectory
            self.namePrefix = namePrefix
            self.terminationGrace = terminationGrace
            self.registryFile = registryFile
        }
    }

    /// A worker that has exited and been reaped.
    public struct Exit: Sendable, Equatable {
        public var id: String
        public var name: String
        /// The exit status; 128 + N when signal N ended it.
        public var status: Int32
        public var logFile: URL
    }

    struct Worker {
        var pid: pid_t
        var name: String
        var launchedAt: Date
        var logFile: URL
        var terminationRequested = false
        /// The process's start time, which tells it apart from a later process with the same pid.
        var startTime: UInt64?
    }

    public nonisolated let launch: Launch
    private let logger: Logger
    private var workers: [pid_t: Worker] = [:]
    /// Workers recorded by an earlier fleet object on the same registry and still running.
    private var adopted: [pid_t: Worker] = [:]
    private var registryLoaded = false
    private var exits: [Exit] = []
    private var isShutDown = false
    /// Reaped exits kept for `recentExits()`; older ones are dropped.
    static let exitHistory = 256

    public init(launch: Launch, logger: Logger = Logger(label: "fleet.local")) {
        self.launch = launch
        self.logger = logger
    }

    /// The id of the worker process `pid`.
    public static func instanceID(pid: pid_t) -> String { "local-\(pid)" }

    // MARK: Fleet

    public func instances() async throws(FleetError) -> [FleetInstance] {
        adoptRecordedWorkers()
        reapExited()
        return (Array(workers.values) + Array(adopted.values)).sorted { $0.launchedAt < $1.launchedAt }.map { worker in
            FleetInstance(id: Self.instanceID(pid: worker.pid),
                          state: worker.terminationRequested ? .shuttingDown : .running,
                          launchedAt: worker.launchedAt, name: worker.name)
        }
    }

    public func launch(count: Int) async throws(FleetError) -> [FleetInstance] {
        guard count > 0 else { return [] }
        guard !isShutDown else { throw .launchFailed(requested: count, reason: "the local fleet has been shut down") }
        guard FileManager.default.isExecutableFile(atPath: launch.executable.path) else {
            throw .misconfigured(reason: "no executable worker binary at \(launch.executable.path)"
                                 + " (set fleet.workerExecutable or build apptier beside the web tier)")
        }
        do {
            try FileManager.default.createDirectory(at: launch.logDirectory, withIntermediateDirectories: true)
        } catch {
            throw .misconfigured(reason: "cannot create the worker log directory \(launch.logDirectory.path): \(error.localizedDescription)")
        }
        adoptRecordedWorkers()
        reapExited()
        var started: [FleetInstance] = []
        defer { saveRegistry() }
        var taken = Set(workers.values.map(\.name)).union(adopted.values.map(\.name))
        for _ in 0..<count {
            let name = FleetNaming.lowestFreeName(prefix: launch.namePrefix, taken: taken)
            taken.insert(name)
            let log = launch.logDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
            let pid: pid_t
            do {
                // Its own process group: a Ctrl-C on the web tier's terminal reaches the web tier,
                // which then drains its workers with SIGTERM.
                pid = try UnmaskedSpawn.spawn(executable: launch.executable.path, arguments: launch.arguments,
                                              environment: launch.environment, log: log, newProcessGroup: true)
            } catch {
                if started.isEmpty { throw .launchFailed(requested: count, reason: error.description) }
                throw .partialLaunch(launched: started, requested: count, reason: error.description)
            }
            let worker = Worker(pid: pid, name: name, launchedAt: Date(), logFile: log,
                                startTime: LocalFleetRegistry.startTime(of: pid))
            workers[pid] = worker
            logger.info("started worker", metadata: ["name": "\(name)", "pid": "\(pid)", "log": "\(log.path)"])
            started.append(FleetInstance(id: Self.instanceID(pid: pid), state: .running,
                                         launchedAt: worker.launchedAt, name: name))
        }
        return started
    }

    /// Sends SIGTERM (the worker drains: finishes or releases its jobs, then exits 0) and, if it
    /// is still alive after `terminationGrace`, SIGKILL. Unknown or already reaped ids are ignored.
    public func terminate(ids: [String]) async throws(FleetError) {
        adoptRecordedWorkers()
        reapExited()
        for id in ids {
            guard let pid = Self.pid(of: id) else { continue }
            if var worker = adopted[pid], let startTime = worker.startTime {
                guard LocalFleetRegistry.isAlive(pid: pid, startTime: startTime) else { continue }
                kill(pid, SIGTERM)
                guard !worker.terminationRequested else { continue }
                worker.terminationRequested = true
                adopted[pid] = worker
                logger.info("terminating adopted worker", metadata: ["name": "\(worker.name)", "pid": "\(pid)"])
                scheduleKill(pid: pid)
                continue
            }
            guard var worker = workers[pid] else { continue }
            // Still unreaped, so the pid cannot have been reused: the signal reaches our worker.
            kill(pid, SIGTERM)
            guard !worker.terminationRequested else { continue }
            worker.terminationRequested = true
            workers[pid] = worker
            logger.info("terminating worker", metadata: ["name": "\(worker.name)", "pid": "\(pid)"])
            scheduleKill(pid: pid)
        }
    }

    private func scheduleKill(pid: pid_t) {
        let grace = launch.terminationGrace
        Task { [weak self] in
            try? await Task.sleep(for: grace)
            await self?.killIfAlive(pid: pid)
        }
    }

    /// Local workers are children of the web tier: they stop with it.
    public func webTierStopping() async {
        await shutdown()
    }

    // MARK: Beyond the protocol

    /// Stops every worker (SIGTERM, then SIGKILL after `grace`) and waits until all are reaped;
    /// no later launch is accepted. Call it when the web tier stops.
    public func shutdown(grace: Duration? = nil) async {
        isShutDown = true
        adoptRecordedWorkers()
        reapExited()
        for pid in workers.keys { kill(pid, SIGTERM) }
        for pid in adopted.keys { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + (grace ?? launch.terminationGrace)
        while !(workers.isEmpty && adopted.isEmpty), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            reapExited()
        }
        for pid in Array(workers.keys) + Array(adopted.keys) {
            logger.warning("worker did not drain in time; killing it", metadata: ["pid": "\(pid)"])
            Self.killGroup(of: pid)
        }
        while !(workers.isEmpty && adopted.isEmpty) {
            try? await Task.sleep(for: .milliseconds(20))
            reapExited()
        }
        saveRegistry()
    }

    /// Workers reaped so far, oldest first (the most recent `exitHistory`), with their status.
    public func recentExits() -> [Exit] { exits }

    /// The pids of the workers not yet reaped.
    public func processIDs() -> [pid_t] { (Array(workers.keys) + Array(adopted.keys)).sorted() }

    /// The log file of a live or recently reaped worker.
    public func logFile(of id: String) -> URL? {
        if let pid = Self.pid(of: id), let worker = workers[pid] { return worker.logFile }
        return exits.last { $0.id == id }?.logFile
    }

    // MARK: Internals

    static func pid(of id: String) -> pid_t? {
        guard id.hasPrefix("local-") else { return nil }
        return pid_t(id.dropFirst("local-".count))
    }

    private func reapExited() {
        var changed = false
        defer { if changed { saveRegistry() } }
        for (pid, worker) in adopted where !(worker.startTime.map { LocalFleetRegistry.isAlive(pid: pid, startTime: $0) } ?? false) {
            adopted[pid] = nil
            changed = true
            logger.info("adopted worker exited", metadata: ["name": "\(worker.name)", "pid": "\(pid)"])
        }
        for (pid, worker) in workers {
            guard let status = UnmaskedSpawn.reap(pid) else { continue }
            workers[pid] = nil
            changed = true
            exits.append(Exit(id: Self.instanceID(pid: pid), name: worker.name, status: status, logFile: worker.logFile))
            if exits.count > Self.exitHistory { exits.removeFirst(exits.count - Self.exitHistory) }
            let metadata: Logger.Metadata = ["name": "\(worker.name)", "pid": "\(pid)", "status": "\(status)"]
            if status == 0 || worker.terminationRequested {
                logger.info("worker exited", metadata: metadata)
            } else {
                logger.warning("worker exited unexpectedly; see its log", metadata: metadata.merging(
                    ["log": "\(worker.logFile.path)"]) { $1 })
            }
        }
    }

    private func killIfAlive(pid: pid_t) {
        reapExited()
        guard workers[pid] != nil || adopted[pid] != nil else { return }
        logger.warning("worker did not drain within the grace period; killing it", metadata: ["pid": "\(pid)"])
        Self.killGroup(of: pid)
    }

    /// Adopts, once, the workers an earlier fleet object recorded that are still the same
    /// running processes.
    private func adoptRecordedWorkers() {
        guard !registryLoaded else { return }
        registryLoaded = true
        guard let file = launch.registryFile else { return }
        for entry in LocalFleetRegistry(file: file).load() where workers[entry.pid] == nil {
            guard LocalFleetRegistry.isAlive(pid: entry.pid, startTime: entry.startTime) else { continue }
            adopted[entry.pid] = Worker(pid: entry.pid, name: entry.name,
                                        launchedAt: Date(timeIntervalSince1970: entry.launchedAt),
                                        logFile: launch.logDirectory, startTime: entry.startTime)
            logger.info("adopted a running worker", metadata: ["name": "\(entry.name)", "pid": "\(entry.pid)"])
        }
        saveRegistry()
    }

    private func saveRegistry() {
        guard let file = launch.registryFile else { return }
        let entries = (Array(workers.values) + Array(adopted.values)).compactMap { worker in
            worker.startTime.map {
                LocalFleetRegistry.Entry(pid: worker.pid, name: worker.name,
                                         launchedAt: worker.launchedAt.timeIntervalSince1970, startTime: $0)
            }
        }
        LocalFleetRegistry(file: file).save(entries)
    }

    /// SIGKILL to the worker's whole process group (it leads its own: spawned with `newProcessGroup`),
    /// so nothing it started outlives it. Only called while the worker is unreaped, so the group
    /// id cannot have been reused.
    private static func killGroup(of pid: pid_t) {
        if kill(-pid, SIGKILL) != 0 { kill(pid, SIGKILL) }
    }
}
