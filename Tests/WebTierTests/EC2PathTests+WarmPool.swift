import AWS
import Foundation
import Pipeline
import Testing
import TestSupport
@testable import WebTier

extension EC2PathTests {
    /// Moto's view of the fleet's instances by id.
    static func described(_ harness: WebTierHarness, _ ids: Set<String>) async throws -> [String: EC2Instance] {
        let instances = try await harness.clients.ec2.describeInstances(instanceIds: Array(ids)).instances
        return Dictionary(uniqueKeysWithValues: instances.map { ($0.instanceId, $0) })
    }

    /// Waits until every instance the simulator saw is stopped or terminated (`count` of them,
    /// when given) and every worker has exited.
    static func waitForIdle(_ simulator: EC2Simulator, count: Int? = nil, timeout: Duration = .seconds(60)) async -> Bool {
        await FleetTestDeployment.eventually(timeout: timeout) {
            let states = await simulator.states
            let ids = await simulator.instanceIDs
            let exited = await simulator.allWorkersExited
            return (count == nil || ids.count == count) && exited
                && ids.allSatisfy { states[$0] == .stopped || states[$0] == .terminated }
        }
    }

    /// Uploads `count` photos and waits for the job's completion (nil: no status in time).
    static func completedJob(photos count: Int, harness: WebTierHarness) async throws -> JobStatus? {
        let photos = try Photos.cycled(count)
        let response = try await harness.upload(photos.map { ($0.name, $0.bytes) })
        #expect(response.status == 202, "\(response.text)")
        let job = try APIJSON.decode(JobAccepted.self, from: response.body)
        return try await harness.waitForCompletion(jobId: job.jobId, port: harness.port, timeout: .seconds(150))
    }

    /// Stops the autoscaler, the simulator and the web tier; returns the workers' logs.
    static func stopAll(_ autoscaler: Autoscaler, _ simulator: EC2Simulator, _ harness: WebTierHarness) async -> String {
        await autoscaler.stop()
        await simulator.shutdown()
        await harness.stop()
        return await simulator.workerLogs()
    }

    @Test("warm pool of 2: members stop themselves when idle, the other instance terminates; the next job starts the stopped members first and launches only the rest")
    func warmPoolStopsMembersAndStartsThemFirst() async throws {
        let (harness, simulator, autoscaler, first) = try await Self.startJob(
            photos: 9, settings: ["scaling.warmPool.size": "2", "scaling.warmPool.startSeconds": "1",
                                  // This test fills the pool through ordinary launches.
                                  "scaling.warmPool.prefill": "false"])
        let pool = WarmPoolPlan.poolTagKey

        // Job 1: three instances launched, the first two tagged as members.
        let firstDone = try await harness.waitForCompletion(jobId: first.jobId, port: harness.port, timeout: .seconds(150))
        let idled = await Self.waitForIdle(simulator, count: Self.maxInstances)
        let firstIDs = await simulator.instanceIDs
        let afterFirst = try await Self.described(harness, firstIDs)
        let members = Set(afterFirst.values.filter { $0.tags[pool] == WarmPoolPlan.poolTagValue }.map(\.instanceId))
        let firstLogs = await simulator.workerLogs()
        #expect(try #require(firstDone, "no status for job 1: \(firstLogs)").complete)
        let statesAfterFirst = await simulator.states
        #expect(idled, "\(statesAfterFirst) \(firstLogs)")
        #expect(members.count == 2, "exactly the pool's size are members: \(afterFirst.mapValues(\.tags))")
        #expect(members.allSatisfy { afterFirst[$0]?.state == .stopped }, "members stop: \(afterFirst.mapValues(\.state))")
        #expect(firstIDs.subtracting(members).allSatisfy { afterFirst[$0]?.state == .terminated }, "others terminate")
        for id in members {
            let output = await simulator.workers[id]?.process.output ?? ""
            #expect(output.contains("idle: stopped own instance (warm pool)"), "\(output.suffix(2000))")
        }
        let stoppedSeen = await FleetTestDeployment.eventually(timeout: .seconds(10)) {
            await autoscaler.controller.latest?.instances.stopped == 2
        }
        let latest = await autoscaler.controller.latest
        #expect(stoppedSeen, "the snapshot counts the stopped members: \(String(describing: latest))")

        // Job 2: the two stopped members are started (same instances, fresh workers), one launched.
        let secondDone = try await Self.completedJob(photos: 9, harness: harness)
        let idledAgain = await Self.waitForIdle(simulator)
        let logs = await Self.stopAll(autoscaler, simulator, harness)

        let status = try #require(secondDone, "no status for job 2: \(logs)")
        #expect(status.complete && status.results.count == 9, "\(status.counts) \(logs)")
        let started = await simulator.startedInstances
        #expect(Set(started.keys) == members, "the stopped members were started again: \(started)")
        let allIDs = await simulator.instanceIDs
        #expect(allIDs.count == Self.maxInstances + 1, "job 2 launched only what the members did not cover: \(allIDs)")
        #expect(!Set(status.results.map(\.worker)).isDisjoint(with: members), "started members answered job 2")
        #expect(await simulator.timeline.allSatisfy { $0.live <= Self.maxInstances })
        let finalStates = await simulator.states
        #expect(idledAgain, "\(finalStates) \(logs)")
        let final = try await Self.described(harness, allIDs)
        #expect(final.values.filter { $0.state == .stopped }.count == 2, "the pool is kept: \(final.mapValues(\.state))")
        try await harness.clients.ec2.terminateInstances(final.values.filter { $0.state == .stopped }.map(\.instanceId))
    }

    @Test("warm pool of 2 with prefill: both members are launched at start with no job, load the model, stop themselves; the first job starts them instead of booting")
    func warmPoolPrefillsAtStart() async throws {
        try #require(WebTierHarness.workersAvailable, "build apptier and fetch the model (scripts/setup)")
        let harness = try await Self.webTier(["scaling.warmPool.size": "2", "scaling.warmPool.startSeconds": "1"])
        let simulator = Self.simulator(for: harness)
        await simulator.start()
        let autoscaler = try await Autoscaler(harness, service: harness.service)

        // No job: the controller prefills the pool, and the members' workers idle out by stopping.
        let prefilled = await Self.waitForIdle(simulator, count: 2, timeout: .seconds(90))
        let members = await simulator.instanceIDs
        let described = try await Self.described(harness, members)
        #expect(described.values.allSatisfy { $0.state == .stopped }, "members stop: \(described.mapValues(\.state))")
        let prefillLogs = await simulator.workerLogs()
        let prefillStates = await simulator.states
        #expect(prefilled, "\(prefillStates) \(prefillLogs)")
        #expect(described.values.allSatisfy { $0.tags[WarmPoolPlan.poolTagKey] == WarmPoolPlan.poolTagValue },
                "prefilled instances are members: \(described.mapValues(\.tags))")
        for id in members {
            let output = await simulator.workers[id]?.process.output ?? ""
            #expect(output.contains("idle: stopped own instance (warm pool)"), "\(output.suffix(2000))")
        }
        let snapshots = await autoscaler.log.snapshots
        #expect(snapshots.contains { $0.explanation.contains("prefill warm pool") })
        #expect(snapshots.allSatisfy { $0.warmPool == 2 })

        // A job of 2 photos: the members are started (no boot), nothing is launched.
        let done = try await Self.completedJob(photos: 2, harness: harness)
        let idledAgain = await Self.waitForIdle(simulator)
        let logs = await Self.stopAll(autoscaler, simulator, harness)

        let status = try #require(done, "no status for the job: \(logs)")
        #expect(status.complete && status.results.count == 2, "\(status.counts) \(logs)")
        let started = await simulator.startedInstances
        #expect(!started.isEmpty && Set(started.keys).isSubset(of: members), "the job started stopped members: \(started)")
        #expect(await simulator.instanceIDs == members, "and launched nothing new")
        #expect(Set(status.results.map(\.worker)).isSubset(of: members))
        #expect(idledAgain)
        let final = try await Self.described(harness, members)
        #expect(final.values.allSatisfy { $0.state == .stopped }, "the pool is kept: \(final.mapValues(\.state))")
        try await harness.clients.ec2.terminateInstances(final.values.filter { $0.state != .terminated }.map(\.instanceId))
    }
}
