import Foundation
import Synchronization
import WebTier

/// A `Fleet` in memory: launches are instantly `running`, terminations remove at once, and a
/// launch can be made to fail. For fast tests of the controller; the moto and process tests
/// prove `EC2Fleet` and `LocalProcessFleet`.
final class InMemoryFleet: Fleet {
    private struct State {
        var instances: [FleetInstance] = []
        var launched = 0
        var launchFailure: FleetError?
        var released = false
    }

    private let state = Mutex(State())

    /// Instances currently listed.
    var current: [FleetInstance] { state.withLock { $0.instances } }
    /// Whether `webTierStopping()` was called.
    var released: Bool { state.withLock { $0.released } }

    /// Makes every later launch throw `error` (nil: launches succeed again).
    func failLaunches(with error: FleetError?) {
        state.withLock { $0.launchFailure = error }
    }

    func instances() async throws(FleetError) -> [FleetInstance] { current }

    func launch(count: Int) async throws(FleetError) -> [FleetInstance] {
        let result: Result<[FleetInstance], FleetError> = state.withLock { state in
            if let failure = state.launchFailure { return .failure(failure) }
            let started = (0..<count).map { _ in
                state.launched += 1
                return FleetInstance(id: "mem-\(state.launched)", state: .running,
                                     launchedAt: Date().addingTimeInterval(Double(state.launched) - 1000), name: "app-tier-\(state.launched)")
            }
            state.instances += started
            return .success(started)
        }
        return try result.get()
    }

    func terminate(ids: [String]) async throws(FleetError) {
        state.withLock { $0.instances.removeAll { ids.contains($0.id) } }
    }

    func webTierStopping() async {
        state.withLock { $0.released = true }
    }
}
