import Foundation
import Logging
import Pipeline
import Testing
import TestSupport
@testable import WebTier

/// The autoscaler's control loop over an in-memory queue and fleet: fast checks of what it asks
/// the fleet to do, beside `ScalingControllerTests` (real fleets against moto).
@Suite("ScalingController over an in-memory queue and fleet")
struct ScalingControllerInMemoryTests {
    static func settings(_ overrides: [String: String]) throws -> ScalingSettings {
        try ConfigurationLoader().load(environment: [:], overrides: overrides).scaling
    }

    static func queue(jobs: Int) async throws -> InMemoryJobQueue {
        let queue = InMemoryJobQueue()
        _ = try await queue.send((0..<jobs).map { "job \($0)" })
        return queue
    }

    @Test("5 waiting jobs with a maximum of 3 launch exactly 3, even with concurrent ticks")
    func launchesUpToTheMaximum() async throws {
        let fleet = InMemoryFleet()
        let controller = ScalingController(queue: try await Self.queue(jobs: 5), fleet: fleet,
                                           settings: try Self.settings(["scaling.maxInstances": "3"]),
                                           logger: Logger(label: "scaling-in-memory"))
        await withTaskGroup(of: FleetSnapshot.self) { group in
            for _ in 0..<4 { group.addTask { await controller.tick() } }
        }
        #expect(fleet.current.count == 3)
        let last = try #require(await controller.latest)
        #expect(last.max == 3 && last.queue == QueueBacklog(visible: 5, inFlight: 0))
        await controller.stop()
    }

    @Test("a lowered maximum terminates the excess, newest first")
    func loweredMaximumTerminatesTheNewest() async throws {
        let fleet = InMemoryFleet()
        let queue = try await Self.queue(jobs: 3)
        let wide = ScalingController(queue: queue, fleet: fleet, settings: try Self.settings(["scaling.maxInstances": "3"]),
                                     logger: Logger(label: "scaling-in-memory"))
        _ = await wide.tick()
        await wide.stop()
        let launched = fleet.current.map(\.id)
        #expect(launched.count == 3)

        let narrow = ScalingController(queue: queue, fleet: fleet, settings: try Self.settings(["scaling.maxInstances": "1"]),
                                       logger: Logger(label: "scaling-in-memory"))
        _ = await narrow.tick()
        await narrow.stop()
        #expect(fleet.current.map(\.id) == [launched[0]], "the oldest stays")
    }

    @Test("a failed launch is shown in the snapshot and kept as the last error; shutdown releases the fleet")
    func failedLaunchIsSurfacedAndShutdownReleases() async throws {
        let fleet = InMemoryFleet()
        fleet.failLaunches(with: .misconfigured(reason: "no worker executable (set fleet.workerExecutable)"))
        let controller = ScalingController(queue: try await Self.queue(jobs: 1), fleet: fleet,
                                           settings: try Self.settings([:]), logger: Logger(label: "scaling-in-memory"))
        let snapshot = await controller.tick()
        #expect(snapshot.explanation.contains("misconfigured"), "\(snapshot.explanation)")
        #expect(await controller.lastError?.contains("fleet.workerExecutable") == true)
        #expect(fleet.current.isEmpty)
        #expect(!fleet.released)
        await controller.shutdown()
        #expect(fleet.released, "shutdown hands the fleet its chance to stop what must not outlive the web tier")
    }
}
