import AWS
import Foundation
import Pipeline
import Testing
import TestSupport
@testable import WebTier

/// `EC2Fleet`'s warm pool against moto's EC2: members tagged at launch, stopped members started
/// before anything is launched, surplus members stopped, stopped extras terminated.
@Suite("EC2Fleet warm pool against moto")
struct FleetEC2WarmPoolTests {
    let deployment: FleetTestDeployment
    var ec2: EC2Client { deployment.clients.ec2 }

    init() async throws {
        deployment = try await FleetTestDeployment()
    }

    func fleet(pool size: Int) throws -> EC2Fleet {
        var pool = WarmPoolSettings()
        pool.size = size
        return try EC2Fleet(client: ec2, settings: deployment.configuration.fleet, warmPool: pool,
                            logger: FleetTestDeployment.logger)
    }

    func described(_ ids: [String]) async throws -> [String: EC2Instance] {
        Dictionary(uniqueKeysWithValues: try await ec2.describeInstances(instanceIds: ids).instances.map { ($0.instanceId, $0) })
    }

    func isMember(_ instance: EC2Instance?) -> Bool { instance?.tags[WarmPoolPlan.poolTagKey] == WarmPoolPlan.poolTagValue }

    func cleanUp(_ fleet: EC2Fleet) async {
        if let ids = try? await fleet.instances().map(\.id), !ids.isEmpty { try? await fleet.terminate(ids: ids) }
    }

    @Test("the first N launches are members; stopped members are started first, then the rest launched")
    func startsStoppedMembersFirst() async throws {
        let fleet = try fleet(pool: 2)
        let first = try await fleet.launch(count: 3)
        let tags = try await described(first.map(\.id))
        let members = first.map(\.id).filter { isMember(tags[$0]) }
        #expect(members.count == 2, "never more members than the pool's size")

        // The members' workers idle out: they stop their instances.
        try await ec2.stopInstances(members)
        let listed = try await fleet.instances()
        #expect(Set(listed.filter { $0.state == .stopped }.map(\.id)) == Set(members))

        let second = try await fleet.launch(count: 3)
        #expect(second.count == 3)
        #expect(Set(second.prefix(2).map(\.id)) == Set(members), "the stopped members come back first")
        #expect(second.prefix(2).allSatisfy { $0.state == .pending })
        let fresh = try #require(second.last)
        #expect(!members.contains(fresh.id))
        #expect(!isMember(try await described([fresh.id])[fresh.id]), "the pool is full: the new one is no member")
        let now = try await described(members)
        #expect(members.allSatisfy { now[$0]?.state.isActive == true })
        await cleanUp(fleet)
    }

    @Test("a released member is stopped, any other released instance terminated")
    func releaseStopsMembers() async throws {
        let fleet = try fleet(pool: 1)
        let launched = try await fleet.launch(count: 2)
        let tags = try await described(launched.map(\.id))
        let member = try #require(launched.first { isMember(tags[$0.id]) })
        let other = try #require(launched.first { !isMember(tags[$0.id]) })
        try await fleet.release(ids: [member.id, other.id])
        let after = try await described([member.id, other.id])
        #expect(after[member.id]?.state == .stopped || after[member.id]?.state == .stopping)
        #expect(after[other.id]?.state == .terminated || after[other.id]?.state == .shuttingDown)
        await cleanUp(fleet)
    }

    @Test("stopped instances beyond the pool are terminated when the fleet is listed; without a pool release terminates")
    func extrasAreTerminated() async throws {
        let wide = try fleet(pool: 3)
        let launched = try await wide.launch(count: 3)
        let ids = launched.map(\.id)
        try await ec2.stopInstances(ids)

        let narrow = try fleet(pool: 1)
        let listed = try await narrow.instances()
        #expect(listed.filter { $0.state == .stopped }.count == 1, "the pool keeps one stopped member")
        let states = try await described(ids)
        #expect(ids.filter { states[$0]?.state == .stopped }.count == 1)
        #expect(ids.filter { states[$0]?.state == .terminated || states[$0]?.state == .shuttingDown }.count == 2)

        let off = try fleet(pool: 0)
        #expect(try await off.instances().filter { $0.state == .stopped }.isEmpty, "no pool: every stopped instance goes")
        let running = try await off.launch(count: 1)
        #expect(!isMember(try await described(running.map(\.id))[running[0].id]))
        try await off.release(ids: running.map(\.id))
        let gone = try await described(running.map(\.id))[running[0].id]?.state
        #expect(gone == .terminated || gone == .shuttingDown)
        await cleanUp(off)
    }

    @Test("an empty queue prefills the pool through the controller: tagged members, per tick, never more than N; a backlog starts them")
    func controllerPrefillsThePool() async throws {
        let fleet = try fleet(pool: 3)
        var settings = deployment.configuration.scaling
        settings.warmPool = fleet.warmPool
        settings.minInstances = 0
        settings.maxInstances = 5
        settings.maxLaunchesPerTick = 2
        settings.launchCooldownSeconds = 600
        // A fresh controller each time: no cool-down carried over, as after a web-tier restart, so
        // only the listing keeps the pool from overfilling.
        func tick(_ queue: InMemoryJobQueue = InMemoryJobQueue()) async -> FleetSnapshot {
            await ScalingController(queue: queue, fleet: fleet, settings: settings, logger: FleetTestDeployment.logger).tick()
        }

        let first = await tick()
        #expect(first.explanation.contains("prefill warm pool: launch 2 (0 of 3 members)"), "\(first.explanation)")
        #expect(first.warmPool == 3)
        let second = await tick()
        #expect(second.explanation.contains("launch 1 (2 of 3 members)"), "\(second.explanation)")
        let members = try await fleet.instances().map(\.id)
        let tags = try await described(members)
        #expect(members.count == 3 && members.allSatisfy { isMember(tags[$0]) })

        // The members' workers load the model, find the queue empty and stop their instances.
        try await ec2.stopInstances(members)
        let third = await tick()
        #expect(!third.explanation.contains("prefill"), "a full pool launches nothing: \(third.explanation)")
        #expect(third.instances.stopped == 3)
        #expect(try await fleet.instances().count == 3)

        let jobs = InMemoryJobQueue()
        _ = try await jobs.send(["job 0", "job 1"])
        let burst = await tick(jobs)
        #expect(burst.explanation.contains("launch 2") && !burst.explanation.contains("prefill"), "\(burst.explanation)")
        let states = try await described(members)
        #expect(members.filter { states[$0]?.state.isActive == true }.count == 2, "the burst started two stopped members")
        #expect(try await fleet.instances().count == 3, "and launched nothing new")
        await cleanUp(fleet)
    }
}
