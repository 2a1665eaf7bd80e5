import Foundation
import Pipeline
import Synchronization
import Testing
import TestSupport
@testable import WebTier

/// The controller hands surplus instances to `Fleet.release` (a warm pool stops its members
/// there) and terminates broken ones (stuck pending, silent) through `Fleet.terminate`.
@Suite struct ScalingControllerReleaseTests {
    /// Lists fixed instances and records what it was asked to end, and how.
    final class RecordingFleet: Fleet {
        let listed: [FleetInstance]
        private let calls = Mutex<[(String, [String])]>([])

        init(_ listed: [FleetInstance]) { self.listed = listed }

        var recorded: [(String, [String])] { calls.withLock { $0 } }

        func instances() async throws(FleetError) -> [FleetInstance] { listed }
        func launch(count: Int) async throws(FleetError) -> [FleetInstance] { [] }
        func terminate(ids: [String]) async throws(FleetError) { calls.withLock { $0.append(("terminate", ids)) } }
        func release(ids: [String]) async throws(FleetError) { calls.withLock { $0.append(("release", ids)) } }
        func webTierStopping() async {}
    }

    @Test("surplus goes to release, a stuck pending instance to terminate")
    func surplusIsReleasedBrokenIsTerminated() async {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let fleet = RecordingFleet([
            FleetInstance(id: "idle", state: .running, launchedAt: now.addingTimeInterval(-600)),
            FleetInstance(id: "stuck", state: .pending, launchedAt: now.addingTimeInterval(-1000)),
            FleetInstance(id: "parked", state: .stopped, launchedAt: now.addingTimeInterval(-5000)),
        ])
        var settings = ScalingSettings()
        settings.policy = .slo
        settings.scaleInDelaySeconds = 0
        settings.warmPool.size = 2
        let controller = ScalingController(queue: InMemoryJobQueue(), fleet: fleet, settings: settings, clock: { now })
        let snapshot = await controller.tick()
        let calls = fleet.recorded
        #expect(calls.count == 2, "\(calls)")
        #expect(calls.first { $0.0 == "terminate" }?.1 == ["stuck"], "\(calls)")
        #expect(calls.first { $0.0 == "release" }?.1 == ["idle"], "\(calls)")
        #expect(snapshot.instances.stopped == 1)
    }
}
