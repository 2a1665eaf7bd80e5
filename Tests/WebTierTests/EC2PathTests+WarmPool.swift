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

    @Test("warm pool of 2: members stop themselves when idle, the other instance terminates; the next job starts the stopped members first and launches only the rest")
    func warmPoolStopsMembersAndStartsThemFirst() async throws {
        let (harness, simulator, autoscaler, first) = try await Self.startJob(
            photos: 9, settings: ["scaling.warmPool.size": "2", "scaling.warmPool.startSeconds": "1"])
        let pool = WarmPoolPlan.poolTagKey

        // Job 1: three instances launched, the first two tagged as members.
        let firstDone = try await harness.waitForCompletion(jobId: first.jobId, port: harness.port, timeout: .seconds(150))
        let idled = await FleetTestDeployment.eventually(timeout: .seconds(60)) {
            let states = await simulator.states
            let ids = await simulator.instanceIDs
            let exited = await simulator.allWorkersExited
            return ids.count == Self.maxInstances && ids.allSatisfy { states[$0] == .stopped || states[$0] == .terminated }
                && exited
        }
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
        let photos = try Photos.cycled(9)
        let response = try await harness.upload(photos.map { ($0.name, $0.bytes) })
        #expect(response.status == 202, "\(response.text)")
        let second = try APIJSON.decode(JobAccepted.self, from: response.body)
        let secondDone = try await harness.waitForCompletion(jobId: second.jobId, port: harness.port, timeout: .seconds(150))
        let idledAgain = await FleetTestDeployment.eventually(timeout: .seconds(60)) {
            let states = await simulator.states
            let ids = await simulator.instanceIDs
            let exited = await simulator.allWorkersExited
            return ids.allSatisfy { states[$0] == .stopped || states[$0] == .terminated } && exited
        }
        await autoscaler.stop()
        await simulator.shutdown()
        await harness.stop()
        let logs = await simulator.workerLogs()

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
}
