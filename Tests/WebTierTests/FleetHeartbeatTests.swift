import Foundation
import Logging
import Pipeline
import Testing
import TestSupport
@testable import WebTier
#if canImport(Glibc)
import Glibc
#endif

/// Unhealthy instances do not live for ever: the controller terminates a local worker process
/// that runs but never heartbeats, and keeps real workers whose heartbeats reach it through the
/// web tier's result poller.
@Suite("local fleet health: heartbeats through the response queue", .serialized)
struct FleetHeartbeatTests {
    static let settings = [
        "worker.heartbeatSeconds": "1", "scaling.heartbeatGraceSeconds": "4", "scaling.minInstances": "1",
        "scaling.maxInstances": "1", "worker.maxEmptyPollsBeforeShutdown": "1000",
    ]

    /// A controller over `fleet` wired as the web tier wires it: the result poller on the
    /// deployment's response queue records heartbeats where the controller reads them.
    static func controller(_ deployment: FleetTestDeployment, fleet: any Fleet)
        -> (controller: ScalingController, poller: ResultPoller, heartbeats: WorkerHeartbeats) {
        let heartbeats = WorkerHeartbeats()
        let poller = ResultPoller(queue: deployment.resources.responses,
                                  router: ResultRouter(jobs: JobStore(), waiters: ResultWaiters(), metrics: WebMetrics()),
                                  pollers: 1, waitSeconds: 1, heartbeats: heartbeats, logger: FleetTestDeployment.logger)
        poller.start()
        let controller = ScalingController(queue: deployment.resources.requests, fleet: fleet,
                                           settings: deployment.configuration.scaling,
                                           logger: FleetTestDeployment.logger, heartbeats: heartbeats)
        return (controller, poller, heartbeats)
    }

    @Test("a worker process that runs but never heartbeats is terminated after the grace, and replaced")
    func silentProcessIsTerminated() async throws {
        let deployment = try await FleetTestDeployment(Self.settings)
        // Stands in for a worker wedged before its first heartbeat: it runs and never says a word.
        let script = try deployment.scratchFile("silent-worker.sh")
        try Data("#!/bin/sh\nexec sleep 300\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let fleet = LocalProcessFleet(launch: .init(executable: script, arguments: [], environment: [:],
                                                    logDirectory: deployment.logDirectory,
                                                    terminationGrace: .seconds(5)),
                                      logger: FleetTestDeployment.logger)
        let (controller, poller, _) = Self.controller(deployment, fleet: fleet)
        _ = await controller.tick()
        let first = try #require(try await fleet.instances().first, "minInstances 1 launches the silent worker")
        var explanation = ""
        let killed = try await FleetTestDeployment.eventually(timeout: .seconds(30)) {
            explanation = await controller.tick().explanation
            return await fleet.recentExits().contains { $0.id == first.id }
        }
        #expect(killed, "the silent process was terminated; last decision: \(explanation)")
        let exit = await fleet.recentExits().first { $0.id == first.id }
        #expect(exit?.status == 128 + SIGTERM, "terminated by the controller, not exited by itself: \(String(describing: exit))")
        let replaced = try await FleetTestDeployment.eventually(timeout: .seconds(10)) {
            _ = await controller.tick()
            return try await fleet.instances().contains { $0.id != first.id && $0.state == .running }
        }
        #expect(replaced, "min 1 launches a replacement")
        await controller.shutdown()
        await poller.stop()
    }

    @Test("real workers heartbeat through the result poller and are kept well past the grace")
    func heartbeatingWorkersAreKept() async throws {
        let deployment = try await FleetTestDeployment(Self.settings)
        let fleet = try deployment.localFleet()
        let (controller, poller, heartbeats) = Self.controller(deployment, fleet: fleet)
        _ = await controller.tick()
        let worker = try #require(try await fleet.instances().first)
        // Heard from once its model is loaded...
        let heard = await FleetTestDeployment.eventually(timeout: .seconds(60)) {
            heartbeats.snapshot()[worker.id] != nil
        }
        #expect(heard, "\(deployment.workerLogs())")
        // ...and kept while it keeps heartbeating: tick until three graces have passed since then.
        let until = Date().addingTimeInterval(3 * deployment.configuration.scaling.heartbeatGraceSeconds)
        while Date() < until {
            let decision = await controller.tick()
            #expect(!decision.explanation.contains("terminate"), "\(decision.explanation)")
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(try await fleet.instances().map(\.id) == [worker.id], "\(deployment.workerLogs())")
        #expect(await fleet.recentExits().isEmpty)
        await controller.shutdown()
        await poller.stop()
    }
}
