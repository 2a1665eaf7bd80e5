import AWS
import Foundation
import Pipeline
import Testing
import TestSupport
@testable import WebTier

/// The EC2 path on one machine: the web tier with `fleet.kind` ec2 launches instances in moto;
/// `EC2Simulator` boots a real EC2-mode `apptier` for each, with its own loopback IMDSv2 endpoint.
/// Photos go in through the web tier's HTTP API; the fleet grows to what the rule asks, answers
/// everything, and ends through the workers' own TerminateInstances.
@Suite("EC2 path on one machine: web tier, moto's EC2, simulated instances", .serialized)
struct EC2PathTests {
    static let maxInstances = 3

    /// A web tier on the EC2 fleet: small maximum, fast polling, workers that idle out after
    /// three empty one-second polls and heartbeat every second (the grace covers the boot delay
    /// and a debug build's model load many times over).
    static func webTier(_ extra: [String: String] = [:]) async throws -> WebTierHarness {
        try await WebTierHarness([
            "fleet.kind": "ec2", "fleet.fleetTag": MotoNames.unique("ec2path"),
            "fleet.ec2.imageId": FleetTestDeployment.imageId,
            "scaling.maxInstances": "\(maxInstances)", "scaling.minInstances": "0",
            "scaling.targetBacklogPerInstance": "1", "scaling.intervalSeconds": "0.5",
            "scaling.launchCooldownSeconds": "0", "scaling.heartbeatGraceSeconds": "60",
            "worker.heartbeatSeconds": "1", "worker.maxEmptyPollsBeforeShutdown": "3",
            "worker.parallelism": "1", "worker.receiveBatchSize": "1",
        ].merging(extra) { _, new in new })
    }

    static func simulator(for harness: WebTierHarness) -> EC2Simulator {
        var settings = EC2SimulatorSettings(fleetTag: harness.configuration.fleet.fleetTag,
                                            workerExecutable: WebTierHarness.executable("apptier"),
                                            workerArguments: harness.workerArguments())
        settings.tagKey = EC2Fleet.fleetTagKey
        settings.bootDelay = .seconds(1)
        return EC2Simulator(ec2: harness.clients.ec2, settings: settings)
    }

    /// The autoscaler a web tier runs (`webtier`'s wiring): over `service`'s queue and heartbeats,
    /// feeding its fleet panel, with every snapshot recorded.
    struct Autoscaler {
        let controller: ScalingController
        let loop: Task<Void, Never>
        let log: ScalingControllerTests.SnapshotLog
        let reader: Task<Void, Never>

        init(_ harness: WebTierHarness, service: WebTierService) async throws {
            controller = try ScalingController.make(configuration: harness.configuration, clients: harness.clients,
                                                    resources: service.resources, workerEnvironment: [:], heartbeats: service.heartbeats,
                                                    logger: FleetTestDeployment.logger)
            service.attachFleet(controller)
            (log, reader) = await ScalingControllerTests.record(controller)
            let controller = controller
            loop = Task { await controller.run() }
        }

        func stop() async {
            await controller.shutdown()
            await loop.value
            await reader.value
        }
    }

    /// A web tier with its autoscaler and the simulator running, and a job of `count` photos
    /// uploaded through its HTTP API.
    static func startJob(photos count: Int, settings: [String: String] = [:]) async throws
        -> (WebTierHarness, EC2Simulator, Autoscaler, JobAccepted) {
        try #require(WebTierHarness.workersAvailable, "build apptier and fetch the model (scripts/setup)")
        let photos = try Photos.cycled(count)
        let harness = try await webTier(settings)
        let simulator = simulator(for: harness)
        await simulator.start()
        let autoscaler = try await Autoscaler(harness, service: harness.service)
        let response = try await harness.upload(photos.map { ($0.name, $0.bytes) })
        #expect(response.status == 202, "\(response.text)")
        let accepted = try APIJSON.decode(JobAccepted.self, from: response.body)
        #expect(accepted.images.count == count)
        return (harness, simulator, autoscaler, accepted)
    }

    /// Waits until moto shows every instance the simulator saw ended and every worker has exited.
    static func waitForScaleInToZero(_ simulator: EC2Simulator, timeout: Duration) async -> Bool {
        await FleetTestDeployment.eventually(timeout: timeout) {
            let states = await simulator.states
            let ids = await simulator.instanceIDs
            let exited = await simulator.allWorkersExited
            return !ids.isEmpty && ids.allSatisfy { states[$0] == .terminated } && exited
        }
    }

    @Test("60 photos: the fleet scales out to the maximum and never above it, every result arrives, the workers terminate their own instances and every process exits")
    func sixtyPhotosScaleOutAndIdleToZero() async throws {
        let (harness, simulator, autoscaler, accepted) = try await Self.startJob(photos: 60)

        let final = try await harness.waitForCompletion(jobId: accepted.jobId, port: harness.port, timeout: .seconds(150))
        let scaledIn = await Self.waitForScaleInToZero(simulator, timeout: .seconds(60))
        let controllerSawZero = await FleetTestDeployment.eventually(timeout: .seconds(10)) {
            await autoscaler.controller.latest.map { $0.instances.pending + $0.instances.running == 0 } ?? false
        }
        await autoscaler.stop()
        await simulator.shutdown()
        await harness.stop()
        let logs = await simulator.workerLogs()
        let finalStates = await simulator.states

        // Every result, once each, from the simulated instances.
        let status = try #require(final, "no job status: \(logs)")
        #expect(status.complete, "\(status.counts) \(logs)")
        #expect(status.results.count == 60)
        #expect(Set(status.results.map(\.imageId)) == Set(accepted.images.map(\.imageId)))
        #expect(status.results.allSatisfy { $0.label != nil }, "\(status.results.filter { $0.label == nil })")
        let instanceIDs = await simulator.instanceIDs
        #expect(Set(status.results.map(\.worker)).isSubset(of: instanceIDs), "each worker names its instance from its metadata")

        // Scale-out: the backlog rule asks ceil(60 / 1) = 60, clamped to the maximum; never above.
        let timeline = await simulator.timeline
        #expect(instanceIDs.count == Self.maxInstances, "launched \(instanceIDs.count) instances")
        #expect(timeline.map(\.live).max() == Self.maxInstances, "moto's listing peaked at the maximum")
        #expect(timeline.allSatisfy { $0.live <= Self.maxInstances }, "\(timeline.csv)")
        #expect(await autoscaler.log.peakCapacity == Self.maxInstances)
        let snapshots = await autoscaler.log.snapshots
        #expect(snapshots.allSatisfy { $0.instances.pending + $0.instances.running <= Self.maxInstances })

        // Scale-in to zero through the workers' own TerminateInstances, not the controller's.
        #expect(scaledIn, "\(finalStates) \(logs)")
        #expect(!snapshots.contains { $0.explanation.contains("terminate i-") },
                "the controller terminated instances: \(snapshots.map(\.explanation).filter { $0.contains("terminate") })")
        let described = try await harness.clients.ec2.describeInstances(instanceIds: Array(instanceIDs)).instances
        #expect(described.count == Self.maxInstances && described.allSatisfy { $0.state == .terminated },
                "\(described.map { "\($0.instanceId) \($0.state.name)" })")
        let workers = await simulator.workers
        #expect(workers.count == Self.maxInstances)
        for worker in workers.values {
            let output = worker.process.output
            #expect(worker.process.exitStatus == 0, "\(output.suffix(2000))")
            #expect(!worker.signalled, "\(worker.instanceID) was still running after moto showed it terminated")
            #expect(output.contains("idle: terminated own instance") && output.contains(worker.instanceID),
                    "\(output.suffix(2000))")
            let requests = worker.metadata.requestLines.map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
            #expect(requests.contains("PUT /latest/api/token") && requests.contains("GET /latest/meta-data/instance-id"),
                    "IMDSv2: a token first, then the id: \(requests)")
        }
        #expect(controllerSawZero, "the web tier's own listing shows the fleet empty: \(snapshots.last?.explanation ?? "")")
        try? timeline.csv.write(to: FileManager.default.temporaryDirectory
            .appendingPathComponent("ec2-path-timeline-\(ProcessInfo.processInfo.processIdentifier).csv"),
            atomically: true, encoding: .utf8)
    }

    @Test("a web tier restarted mid-job adopts the running instances by tag, launches no duplicates, and the job still completes")
    func restartedWebTierAdoptsTheFleet() async throws {
        let (harness, simulator, first, accepted) = try await Self.startJob(photos: 30)
        let fleetUp = await FleetTestDeployment.eventually(timeout: .seconds(30)) {
            await simulator.workers.count == Self.maxInstances
        }
        let statesAtRestart = await simulator.states
        #expect(fleetUp, "web tier A's fleet did not come up: \(statesAtRestart)")
        await first.stop()
        await harness.stop()

        // Web tier B: same configuration, new process state. Its first tick counts A's instances.
        let restarted = try await harness.restarted()
        let before = try await harness.clients.ec2.describeAllInstances(filters: [
            .tag(EC2Fleet.fleetTagKey, harness.configuration.fleet.fleetTag), .state(.pending, .running),
        ])
        let second = try await Autoscaler(harness, service: restarted)
        let adopted = await FleetTestDeployment.eventually(timeout: .seconds(10)) {
            await second.log.snapshots.first != nil
        }
        #expect(adopted)
        let firstSnapshot = try #require(await second.log.snapshots.first)
        #expect(before.count == Self.maxInstances, "the job ended before the restart; the test needs it mid-way")
        #expect(firstSnapshot.instances.pending + firstSnapshot.instances.running == Self.maxInstances,
                "\(firstSnapshot.explanation)")

        let final = try await harness.waitForCompletion(jobId: accepted.jobId, port: restarted.port, timeout: .seconds(150))
        let scaledIn = await Self.waitForScaleInToZero(simulator, timeout: .seconds(60))
        await second.stop()
        await simulator.shutdown()
        await restarted.stop()
        let logs = await simulator.workerLogs()
        let finalStates = await simulator.states

        let status = try #require(final, "no job status from web tier B: \(logs)")
        #expect(status.complete && status.results.count == 30, "\(status.counts) \(logs)")
        #expect(Set(status.results.map(\.imageId)) == Set(accepted.images.map(\.imageId)))
        #expect(await simulator.instanceIDs.count == Self.maxInstances, "web tier B launched duplicates")
        #expect(await simulator.timeline.allSatisfy { $0.live <= Self.maxInstances })
        #expect(await second.log.snapshots.allSatisfy { $0.instances.pending + $0.instances.running <= Self.maxInstances })
        #expect(scaledIn, "\(finalStates) \(logs)")
        #expect(await simulator.workers.values.allSatisfy { $0.process.exitStatus == 0 && !$0.signalled }, "\(logs)")
    }

    @Test("a worker SIGKILLed mid-job is restarted on its instance like systemd would, loses no result, and still ends its own instance")
    func killedWorkerIsRestartedOnItsInstance() async throws {
        // The killed job returns to the queue after the visibility timeout: short, to keep the test short.
        let (harness, simulator, autoscaler, accepted) = try await Self.startJob(
            photos: 30, settings: ["queues.visibilityTimeoutSeconds": "8"])
        let started = await FleetTestDeployment.eventually(timeout: .seconds(60)) {
            let reply = try? await TestHTTPClient.get(port: harness.port, "/api/jobs/\(accepted.jobId)")
            let status = reply.flatMap { try? APIJSON.decode(JobStatus.self, from: $0.body) }
            return (status?.results.count ?? 0) >= 5
        }
        #expect(started, "no results before the fault")
        let victim = try #require(await simulator.workers.values.first { $0.process.isRunning })
        victim.process.signal(SIGKILL)

        let final = try await harness.waitForCompletion(jobId: accepted.jobId, port: harness.port, timeout: .seconds(150))
        let scaledIn = await Self.waitForScaleInToZero(simulator, timeout: .seconds(60))
        await autoscaler.stop()
        await simulator.shutdown()
        await harness.stop()
        let logs = await simulator.workerLogs()
        let finalStates = await simulator.states

        let status = try #require(final, "no job status: \(logs)")
        #expect(status.complete && Set(status.results.map(\.imageId)) == Set(accepted.images.map(\.imageId)),
                "\(status.counts) \(logs)")
        let restarted = try #require(await simulator.workers[victim.instanceID])
        #expect(restarted.restarts == 1, "the supervisor started the killed worker again")
        #expect(restarted.process.pid != victim.process.pid)
        #expect(restarted.process.output.contains("idle: terminated own instance"), "\(restarted.process.output.suffix(2000))")
        // The restarted worker may idle out while the killed job is still invisible; the controller
        // then launches one instance for it, within the maximum.
        #expect(await simulator.timeline.allSatisfy { $0.live <= Self.maxInstances })
        #expect(scaledIn, "\(finalStates) \(logs)")
        #expect(await simulator.workers.values.allSatisfy { $0.process.exitStatus == 0 }, "\(logs)")
    }
}
