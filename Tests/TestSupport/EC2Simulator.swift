import AWS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Plays the cloud for the EC2 fleet on one machine: moto holds the instances, this turns each
/// of them into a real `apptier` process.
///
/// Every `pollInterval` it lists the fleet's instances in moto (DescribeInstances by the fleet
/// tag). An instance first seen pending or running gets, after `bootDelay`, a loopback IMDSv2
/// endpoint answering its id and an `apptier` in EC2 mode pointed at that endpoint, so the
/// worker's heartbeats and its idle self-termination name the right instance. When moto shows an
/// instance shutting down or terminated, its worker gets `exitGrace` to exit by itself, then
/// SIGTERM, as an instance's shutdown would send. A worker that fails while its instance runs is
/// restarted after `restartDelay`, as the AMI's systemd unit does. Each poll adds a sample to
/// `timeline`.
///
/// ```swift
/// let simulator = EC2Simulator(ec2: clients.ec2, settings: settings)
/// await simulator.start()
/// ...
/// await simulator.shutdown()   // stops every worker and endpoint it started
/// ```
public actor EC2Simulator {
    public nonisolated let settings: EC2SimulatorSettings
    private let ec2: EC2Client
    private let startedAt = ContinuousClock.now
    /// Instance id → when a listing first showed it (seconds since start).
    private var firstSeen: [String: Double] = [:]
    private var lastStates: [String: EC2InstanceState] = [:]
    private var names: [String: String] = [:]
    public internal(set) var workers: [String: EC2SimulatedWorker] = [:]
    public private(set) var timeline: [EC2SimulatorSample] = []
    /// The last listing or start failure, for failure messages (polling goes on).
    public private(set) var lastError: String?
    /// Failed workers' last log lines, oldest first (`failedWorkerLogs`).
    var failureLog: [String] = []
    private var loop: Task<Void, Never>?
    private var stoppers: [Task<Void, Never>] = []

    public init(ec2: EC2Client, settings: EC2SimulatorSettings) {
        self.ec2 = ec2
        self.settings = settings
    }

    /// Starts polling (a second call does nothing).
    public func start() {
        guard loop == nil else { return }
        loop = Task { [weak self] in
            while !Task.isCancelled, let self {
                await self.poll()
                try? await Task.sleep(for: self.settings.pollInterval)
            }
        }
    }

    /// Stops polling, then every worker (SIGTERM, SIGKILL after a grace) and every endpoint.
    public func shutdown() async {
        loop?.cancel()
        await loop?.value
        loop = nil
        for stopper in stoppers { await stopper.value }
        for worker in workers.values {
            await worker.process.stop()
            worker.metadata.stop()
        }
    }

    // MARK: Queries

    /// Every instance of the fleet a listing has shown pending or running (booted or due to be).
    public var instanceIDs: Set<String> { Set(firstSeen.keys) }

    /// The state of each instance in the latest listing (terminated ones stay listed in moto).
    public var states: [String: EC2InstanceState] { lastStates }

    /// The most instances pending or running at once, over every sample.
    public var peakLive: Int { timeline.map(\.live).max() ?? 0 }

    /// Whether every worker started has exited.
    public var allWorkersExited: Bool { workers.values.allSatisfy { !$0.process.isRunning } }

    public var secondsSinceStart: Double { Self.seconds(ContinuousClock.now - startedAt) }

    /// The workers' logs, for failure messages.
    public func workerLogs(lastCharacters: Int = 2000) -> String {
        workers.values.sorted { $0.startedAt < $1.startedAt }.map { worker in
            "== \(worker.name ?? "?") \(worker.instanceID) (exit \(worker.process.exitStatus.map(String.init) ?? "running"))\n"
                + worker.process.output.suffix(lastCharacters)
        }.joined(separator: "\n")
    }

    // MARK: One poll

    /// Lists the fleet, boots what is due, stops what moto ended, and records a sample.
    public func poll() async {
        let listed: [EC2Instance]
        do {
            listed = try await ec2.describeAllInstances(filters: [.tag(settings.tagKey, settings.fleetTag)])
            lastError = nil
        } catch {
            lastError = "DescribeInstances: \(error)"
            return
        }
        let now = secondsSinceStart
        for instance in listed {
            let id = instance.instanceId
            lastStates[id] = instance.state
            if firstSeen[id] == nil, instance.state.isActive { firstSeen[id] = now }
            if let name = instance.tags["Name"] { names[id] = name }
            switch instance.state {
            case .pending, .running:
                if workers[id]?.instanceEndedAt != nil {
                    resumeStarted(id, at: now)
                } else if workers[id] == nil, let seen = firstSeen[id], now - seen >= Self.seconds(settings.bootDelay) {
                    boot(id, at: now)
                } else {
                    superviseWorker(id, at: now)
                }
            case .shuttingDown, .terminated, .stopping, .stopped:
                end(id, at: now)
            case .unknown:
                break
            }
        }
        var counts: [String: Int] = [:]
        for state in lastStates.values { counts[state.name, default: 0] += 1 }
        timeline.append(EC2SimulatorSample(seconds: now, states: counts,
                                           workersRunning: workers.values.filter { $0.process.isRunning }.count,
                                           workerRestarts: workers.values.map(\.restarts).reduce(0, +)))
    }

    func boot(_ id: String, at now: Double) {
        do {
            let metadata = try InstanceMetadataEndpoint(instanceID: id)
            do {
                workers[id] = EC2SimulatedWorker(instanceID: id, name: names[id], process: try spawnWorker(id, metadata),
                                                 metadata: metadata, startedAt: now)
            } catch {
                metadata.stop()
                throw error
            }
        } catch {
            lastError = "starting the worker of \(id): \(error)"
        }
    }

    private func spawnWorker(_ id: String, _ metadata: InstanceMetadataEndpoint) throws -> ChildProcess {
        let arguments = settings.workerArguments + [
            "--set", "worker.mode=ec2", "--set", "aws.metadataEndpoint=\(metadata.endpoint.absoluteString)",
        ]
        return try ChildProcess(name: "ec2sim-\(names[id] ?? "instance")-\(id)", executable: settings.workerExecutable,
                                arguments: arguments, environment: settings.workerEnvironment)
    }

    /// The instance still runs: a worker that failed is started again once `restartDelay` has
    /// passed (exit 0 means it terminated its instance, so the listing will soon show it ended).
    private func superviseWorker(_ id: String, at now: Double) {
        guard var worker = workers[id], worker.instanceEndedAt == nil, let delay = settings.restartDelay,
              let status = worker.process.exitStatus, status != 0 else { return }
        guard let failedAt = worker.failedAt else {
            noteFailure(of: worker, status: status, at: now)
            worker.failedAt = now
            workers[id] = worker
            return
        }
        guard now - failedAt >= Self.seconds(delay) else { return }
        do {
            worker.process = try spawnWorker(id, worker.metadata)
            worker.restarts += 1
            worker.failedAt = nil
            workers[id] = worker
        } catch {
            lastError = "restarting the worker of \(id): \(error)"
        }
    }

    /// The instance is gone in moto: its worker gets the grace to finish on its own, then SIGTERM.
    private func end(_ id: String, at now: Double) {
        guard var worker = workers[id], worker.instanceEndedAt == nil else { return }
        worker.instanceEndedAt = now
        workers[id] = worker
        let grace = settings.exitGrace
        stoppers.append(Task { [weak self] in
            let process = worker.process
            if await process.waitForExit(timeout: grace) == nil {
                await self?.markSignalled(id)
                await process.stop()
            }
            worker.metadata.stop()
        })
    }

    private func markSignalled(_ id: String) {
        workers[id]?.signalled = true
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
