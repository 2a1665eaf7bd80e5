import Foundation
import Pipeline
import Testing
import TestSupport
@testable import WebTier

/// The `slo` policy through the real controller: moto's SQS depth and EC2 fleet, and results
/// reaching the controller through the web tier's result router.
@Suite("ScalingController with the slo policy against moto", .serialized)
struct ScalingControllerSLOTests {
    /// 8 images, 1 image/s per instance assumed, a 20 s boot, a 30 s target: one instance answers
    /// them by 28 s, so one is launched where the backlog rule launches 8; the snapshot says so.
    @Test("launches just enough instances for the drain target and shows target and projection")
    func launchesJustEnoughAndProjects() async throws {
        let deployment = try await FleetTestDeployment([
            "scaling.policy": "slo", "scaling.drainTargetSeconds": "30", "scaling.bootSeconds": "20",
            "scaling.initialImagesPerSecondPerInstance": "1",
        ])
        _ = try await deployment.submit(try FleetPhotos.first(8))
        let fleet = try deployment.ec2Fleet()
        let controller = ScalingController(queue: deployment.resources.requests, fleet: fleet,
                                           settings: deployment.configuration.scaling, logger: FleetTestDeployment.logger)
        let snapshot = await controller.tick()
        let decision = try #require(await controller.lastDecision)
        #expect(decision.backlog == 8, "\(snapshot.explanation)")
        #expect(decision.launch == 1, "\(snapshot.explanation)")
        #expect(snapshot.drainTargetSeconds == 30)
        #expect(abs(try #require(snapshot.projectedDrainSeconds) - 28) < 0.5)
        #expect(snapshot.explanation.contains("target 30 s, projected 28 s"), "\(snapshot.explanation)")
        #expect(try await fleet.instances().count == 1)
        await controller.shutdown()
        try await fleet.terminate(ids: try await fleet.instances().map(\.id))
    }

    /// Real local workers that would not idle out by themselves (100 empty polls): once their
    /// queue is empty the `slo` controller releases them (scale-in delay and billed minimum 0
    /// here), they drain on SIGTERM and exit cleanly, and no image went unanswered.
    @Test("releases surplus workers once the queue is empty; they drain and exit cleanly")
    func releasesSurplusWorkers() async throws {
        let deployment = try await FleetTestDeployment([
            "scaling.maxInstances": "3", "worker.maxEmptyPollsBeforeShutdown": "100",
            "scaling.scaleInDelaySeconds": "0", "scaling.billingMinimumSeconds": "0",
        ])
        let fleet = try deployment.localFleet()
        let jobs = try await deployment.submit(try FleetPhotos.first(6))
        // The backlog rule scales out (one instance per image, up to 3)...
        let scaleOut = ScalingController(queue: deployment.resources.requests, fleet: fleet,
                                         settings: deployment.configuration.scaling, logger: FleetTestDeployment.logger)
        _ = await scaleOut.tick()
        #expect(await fleet.processIDs().count == 3)
        let results = try await deployment.collectResults(expected: jobs.count, timeout: .seconds(120))
        #expect(Set(results.map(\.imageId)) == Set(jobs.map(\.imageId)), "\(deployment.workerLogs())")
        await scaleOut.stop()
        // A worker sends its result before it deletes the job: until the last delete lands the
        // queue still counts that job in flight, and the slo policy would rightly keep one.
        let drained = try await FleetTestDeployment.eventually(timeout: .seconds(30)) {
            try await deployment.resources.requests.depth().backlog == 0
        }
        #expect(drained, "the request queue kept jobs after every result arrived")

        // ...and an slo controller taking over sees an empty queue: all three are surplus.
        var slo = deployment.configuration.scaling
        slo.policy = .slo
        let scaleIn = ScalingController(queue: deployment.resources.requests, fleet: fleet, settings: slo,
                                        logger: FleetTestDeployment.logger)
        let snapshot = await scaleIn.tick()
        let decision = try #require(await scaleIn.lastDecision)
        #expect(decision.desired == 0, "\(snapshot.explanation)")
        #expect(decision.terminations.count == 3, "\(snapshot.explanation)")
        #expect(decision.terminations.allSatisfy { $0.reason == .surplus(desired: 0) })
        let emptied = await FleetTestDeployment.eventually(timeout: .seconds(30)) {
            _ = try? await fleet.instances()  // reaps the exited workers
            return await fleet.processIDs().isEmpty
        }
        #expect(emptied, "\(deployment.workerLogs())")
        #expect(await fleet.recentExits().count == 3)
        #expect(await fleet.recentExits().allSatisfy { $0.status == 0 }, "drained on SIGTERM, not killed")
        await scaleIn.shutdown()
    }

    /// A result routed by the web tier reaches the attached controller's estimate.
    @Test("results routed by the web tier teach the controller the model's pace")
    func routedResultsReachTheController() async throws {
        let deployment = try await FleetTestDeployment(["scaling.policy": "slo"])
        let controller = ScalingController(queue: deployment.resources.requests, fleet: try deployment.ec2Fleet(),
                                           settings: deployment.configuration.scaling, logger: FleetTestDeployment.logger)
        let channel = FleetChannel()
        channel.attach(controller)
        let router = ResultRouter(jobs: JobStore(), waiters: ResultWaiters(), metrics: WebMetrics(), fleet: channel)
        for index in 0..<3 {
            router.route(ResultMessage(jobId: "job", imageId: "img\(index)", fileName: "a.jpg", label: "tabby", top5: [],
                                       model: "efficientnet-lite0", worker: "i-1", inferenceMs: 40))
        }
        let arrived = await FleetTestDeployment.eventually(timeout: .seconds(10)) {
            await controller.state.demand.windowResults == 3
        }
        #expect(arrived)
        _ = await controller.tick()
        #expect(await controller.state.demand.inferenceMs == 40)
        channel.detach()
        await controller.shutdown()
    }
}
