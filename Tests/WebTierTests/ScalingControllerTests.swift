import AWS
import Foundation
import Pipeline
import Testing
import TestSupport
@testable import WebTier

/// The autoscaler's control loop with real fleets against moto: real queues, real `apptier`
/// workers, moto's EC2.
@Suite("ScalingController against moto with real fleets", .serialized)
struct ScalingControllerTests {
    /// Collects every snapshot a controller publishes.
    actor SnapshotLog {
        private(set) var snapshots: [FleetSnapshot] = []
        func append(_ snapshot: FleetSnapshot) { snapshots.append(snapshot) }
        var peakCapacity: Int { snapshots.map { $0.instances.pending + $0.instances.running }.max() ?? 0 }
    }

    static func record(_ controller: ScalingController) async -> (SnapshotLog, Task<Void, Never>) {
        let log = SnapshotLog()
        let stream = await controller.snapshots()
        let reader = Task {
            for await snapshot in stream { await log.append(snapshot) }
        }
        return (log, reader)
    }

    @Test("local fleet, max 3: 5 jobs launch exactly 3 workers even with concurrent ticks; all results arrive; the fleet shrinks to 0 by itself")
    func localFleetScalesOutAndIdlesBackToZero() async throws {
        let deployment = try await FleetTestDeployment([
            "scaling.maxInstances": "3", "scaling.minInstances": "0", "worker.maxEmptyPollsBeforeShutdown": "3",
        ])
        let fleet = try deployment.localFleet()
        let controller = ScalingController(queue: deployment.resources.requests, fleet: fleet,
                                           settings: deployment.configuration.scaling,
                                           logger: FleetTestDeployment.logger)
        let (log, reader) = await Self.record(controller)
        let jobs = try await deployment.submit(try FleetPhotos.first(5))

        // Four ticks at once: serialised, the first launches 3 and the others see them listed.
        await withTaskGroup(of: FleetSnapshot.self) { group in
            for _ in 0..<4 { group.addTask { await controller.tick() } }
        }
        #expect(await fleet.processIDs().count == 3)
        let loop = Task { await controller.run() }

        var peakProcesses = 0
        var results: [String: ResultMessage] = [:]
        let deadline = ContinuousClock.now + .seconds(120)
        while results.count < jobs.count, ContinuousClock.now < deadline {
            peakProcesses = max(peakProcesses, await fleet.processIDs().count)
            for result in try await deployment.collectResults(expected: 1, timeout: .seconds(1)) {
                results[result.imageId] = result
            }
        }
        #expect(Set(results.keys) == Set(jobs.map(\.imageId)), "\(deployment.workerLogs())")
        #expect(results.values.allSatisfy { $0.error == nil && $0.label != nil })

        let shrunk = try await FleetTestDeployment.eventually(timeout: .seconds(60)) {
            peakProcesses = max(peakProcesses, await fleet.processIDs().count)
            let running = await controller.latest?.instances.running
            return try await fleet.instances().isEmpty && running == 0
        }
        #expect(shrunk, "the workers idle out and the controller sees an empty fleet: \(deployment.workerLogs())")
        #expect(peakProcesses <= 3)
        #expect(await log.peakCapacity == 3, "never more than the maximum")
        #expect(await fleet.recentExits().allSatisfy { $0.status == 0 }, "idle exits, not kills")
        let last = try #require(await controller.latest)
        #expect(last.max == 3 && last.desired == 0 && last.queue == QueueBacklog(visible: 0, inFlight: 0))

        await controller.shutdown()
        await loop.value
        await reader.value
        #expect(await fleet.processIDs().isEmpty)
    }

    @Test("EC2 fleet on moto: one real EC2-mode apptier per launched instance; jobs are classified; each worker terminates its own instance and the fleet empties")
    func ec2FleetWorkersSelfTerminate() async throws {
        let deployment = try await FleetTestDeployment([
            "scaling.maxInstances": "2", "worker.maxEmptyPollsBeforeShutdown": "3",
        ])
        let fleet = try deployment.ec2Fleet()
        let controller = ScalingController(queue: deployment.resources.requests, fleet: fleet,
                                           settings: deployment.configuration.scaling,
                                           logger: FleetTestDeployment.logger)
        let (log, reader) = await Self.record(controller)
        let jobs = try await deployment.submit(try FleetPhotos.first(3))
        let loop = Task { await controller.run() }

        // The harness of DESIGN.md: each instance the controller launches gets a real worker whose
        // loopback metadata endpoint reports that instance's id.
        var workers: [String: (process: ChildProcess, metadata: InstanceMetadataEndpoint)] = [:]
        defer { for worker in workers.values { worker.metadata.stop() } }
        var results: [String: ResultMessage] = [:]
        let deadline = ContinuousClock.now + .seconds(150)
        while ContinuousClock.now < deadline {
            for instance in try await fleet.instances() where workers[instance.id] == nil && instance.state.countsAsCapacity {
                workers[instance.id] = try deployment.startEC2Worker(instanceID: instance.id)
            }
            if results.count < jobs.count {
                for result in try await deployment.collectResults(expected: 1, timeout: .seconds(1)) {
                    results[result.imageId] = result
                }
            } else if try await fleet.instances().isEmpty, workers.values.allSatisfy({ !$0.process.isRunning }) {
                break
            } else {
                try await Task.sleep(for: .milliseconds(300))
            }
        }
        let outputs = workers.values.map { $0.process.output }.joined(separator: "\n----\n")
        #expect(Set(results.keys) == Set(jobs.map(\.imageId)), "\(outputs)")
        #expect((1...2).contains(workers.count), "launched within the maximum of 2")
        #expect(await log.peakCapacity <= 2)
        #expect(try await fleet.instances().isEmpty, "every instance terminated itself: \(outputs)")
        for (id, worker) in workers {
            #expect(await worker.process.waitForExit(timeout: .seconds(10)) == 0, "\(worker.process.output)")
            #expect(worker.process.output.contains("terminated own instance"))
            let state = try await deployment.clients.ec2.describeInstances(instanceIds: [id]).instances.first?.state
            #expect(state == .terminated || state == .shuttingDown)
        }
        let emptied = await FleetTestDeployment.eventually(timeout: .seconds(5)) {
            await controller.latest.map { $0.instances.pending + $0.instances.running == 0 } ?? false
        }
        #expect(emptied, "the controller's own listing shows the fleet empty")

        await controller.shutdown()
        await loop.value
        await reader.value
        for worker in workers.values { await worker.process.stop() }
    }

    @Test("a restarted controller on the same EC2 fleet adopts the running instances instead of launching duplicates")
    func restartedControllerAdoptsInstances() async throws {
        let deployment = try await FleetTestDeployment(["scaling.maxInstances": "3"])
        _ = try await deployment.submit(try FleetPhotos.first(4))
        let first = ScalingController(queue: deployment.resources.requests, fleet: try deployment.ec2Fleet(),
                                      settings: deployment.configuration.scaling,
                                           logger: FleetTestDeployment.logger)
        let before = await first.tick()
        #expect(await first.lastDecision?.launch == 3, "\(before.explanation)")
        await first.shutdown()
        let launched = try await deployment.ec2Fleet().instances()
        #expect(launched.count == 3)

        // A new web tier: new fleet object, new controller, empty memory.
        let secondFleet = try deployment.ec2Fleet()
        let second = ScalingController(queue: deployment.resources.requests, fleet: secondFleet,
                                       settings: deployment.configuration.scaling,
                                           logger: FleetTestDeployment.logger)
        for _ in 0..<3 {
            let snapshot = await second.tick()
            #expect(snapshot.instances.pending + snapshot.instances.running == 3, "\(snapshot.explanation)")
            #expect(await second.lastDecision?.launch == 0)
        }
        #expect(Set(try await secondFleet.instances().map(\.id)) == Set(launched.map(\.id)))
        await second.shutdown()
        try await secondFleet.terminate(ids: launched.map(\.id))
    }

    @Test("a lowered maximum terminates the excess through the fleet, newest first, and never a worker below it")
    func loweredMaximumTerminatesTheNewest() async throws {
        let deployment = try await FleetTestDeployment(["scaling.maxInstances": "3"])
        _ = try await deployment.submit(try FleetPhotos.first(4))
        let fleet = try deployment.ec2Fleet()
        var launched: [FleetInstance] = []
        for _ in 0..<3 {  // one at a time, so the launch times are ordered
            launched += try await fleet.launch(count: 1)
            try await Task.sleep(for: .milliseconds(1100))
        }
        var lowered = deployment.configuration.scaling
        lowered.maxInstances = 1
        let controller = ScalingController(queue: deployment.resources.requests, fleet: try deployment.ec2Fleet(),
                                           settings: lowered, logger: FleetTestDeployment.logger)
        let snapshot = await controller.tick()
        let decision = try #require(await controller.lastDecision)
        #expect(decision.terminations.map(\.instanceID) == [launched[2].id, launched[1].id], "\(snapshot.explanation)")
        #expect(decision.launch == 0)
        #expect(snapshot.explanation.contains("above the maximum of 1"))
        #expect(try await fleet.instances().map(\.id) == [launched[0].id], "the oldest keeps working")
        let next = await controller.tick()
        let calm = await controller.lastDecision
        #expect(next.instances.running == 1 && calm?.terminations.isEmpty == true, "\(next.explanation)")
        await controller.shutdown()
        try await fleet.terminate(ids: [launched[0].id])
    }

    @Test("make builds the fleet the configuration names; the local workers get its effective configuration")
    func makeBuildsTheConfiguredFleet() async throws {
        let local = try await FleetTestDeployment(["fleet.kind": "local", "worker.mode": "ec2", "worker.metricsPort": "9301"])
        let directory = local.logDirectory.appendingPathComponent("make")
        let localController = try ScalingController.make(configuration: local.configuration, clients: local.clients,
                                                         resources: local.resources,
                                                         workerEnvironment: ProcessInfo.processInfo.environment,
                                                         workerLogDirectory: directory)
        let localFleet = try #require(localController.fleet as? LocalProcessFleet)
        #expect(localFleet.launch.executable == FleetTestDeployment.workerExecutable)
        #expect(localFleet.launch.arguments.contains("worker.mode=local"))
        #expect(localController.settings == local.configuration.scaling)
        let written = try ConfigurationLoader().load(file: directory.appendingPathComponent("worker-configuration.json"),
                                                     environment: [:])
        var expected = local.configuration
        expected.worker.mode = .local
        expected.worker.metricsPort = nil
        #expect(written == expected, "a worker runs with the web tier's settings, in local mode, without a shared metrics port")

        let ec2 = try await FleetTestDeployment(["fleet.kind": "ec2"])
        let ec2Controller = try ScalingController.make(configuration: ec2.configuration, clients: ec2.clients,
                                                       resources: ec2.resources, workerEnvironment: [:])
        let ec2Fleet = try #require(ec2Controller.fleet as? EC2Fleet)
        #expect(ec2Fleet.fleetTag == ec2.configuration.fleet.fleetTag)
        #expect(ec2Fleet.launchSettings == ec2.configuration.fleet.ec2)
    }

    @Test("fleet failures are logged and shown in the snapshot; the loop keeps ticking")
    func failuresAreSurfacedNotFatal() async throws {
        let deployment = try await FleetTestDeployment(["scaling.launchCooldownSeconds": "0"])
        _ = try await deployment.submit(try FleetPhotos.first(1))

        // Launch fails: no worker binary.
        let broken = LocalProcessFleet(launch: .init(
            executable: URL(fileURLWithPath: "/nonexistent/apptier"), arguments: [], environment: [:],
            logDirectory: deployment.logDirectory), logger: FleetTestDeployment.logger)
        let controller = ScalingController(queue: deployment.resources.requests, fleet: broken,
                                           settings: deployment.configuration.scaling,
                                           logger: FleetTestDeployment.logger)
        let (log, reader) = await Self.record(controller)
        let loop = Task { await controller.run() }
        let ticked = await FleetTestDeployment.eventually(timeout: .seconds(10)) {
            await log.snapshots.count >= 3
        }
        #expect(ticked, "the loop goes on after a failed launch")
        let failed = try #require(await controller.latest)
        #expect(failed.explanation.contains("misconfigured"), "\(failed.explanation)")
        #expect(failed.explanation.contains("/nonexistent/apptier"))
        #expect(await controller.lastError?.contains("fleet.workerExecutable") == true)
        await controller.stop()
        await loop.value
        await reader.value
        #expect(await controller.snapshots().first { _ in true } == nil, "a stopped controller's stream is finished")

        // Listing fails: EC2 endpoint down (a closed loopback port).
        var unreachable = deployment.moto.configuration()
        unreachable.endpointURL = URL(string: "http://127.0.0.1:\(try LoopbackHTTP.freePort())")
        let blind = try EC2Fleet(client: EC2Client(configuration: unreachable), settings: deployment.configuration.fleet)
        let skipping = ScalingController(queue: deployment.resources.requests, fleet: blind,
                                         settings: deployment.configuration.scaling,
                                           logger: FleetTestDeployment.logger)
        let skipped = await skipping.tick()
        #expect(skipped.explanation.hasPrefix("not scaling this tick"), "\(skipped.explanation)")
        #expect(skipped.queue.visible == 1, "the depth is still reported")
        #expect(await skipping.lastDecision == nil)
        await skipping.stop()
    }

    @Test("a subscriber gets the latest snapshot at once, then one per tick")
    func snapshotStream() async throws {
        let deployment = try await FleetTestDeployment()
        let fleet = try deployment.ec2Fleet()
        let controller = ScalingController(queue: deployment.resources.requests, fleet: fleet,
                                           settings: deployment.configuration.scaling,
                                           logger: FleetTestDeployment.logger)
        let first = await controller.tick()
        var iterator = await controller.snapshots().makeAsyncIterator()
        #expect(await iterator.next() == first)
        let second = await controller.tick()
        #expect(await iterator.next() == second)
        #expect(second.desired == 0 && second.instances == InstanceCounts(pending: 0, running: 0))
        #expect(second.explanation.contains("steady"), "\(second.explanation)")
        await controller.stop()
        #expect(await iterator.next() == nil)
    }
}
