import Foundation
import Pipeline
import Testing
import TestSupport
@testable import WebTier

/// A simulated world around the policy: uploads arriving concurrently in random bursts, instances
/// that boot slowly or get stuck, workers that self-terminate when idle, a listing that hides fresh
/// launches for a few seconds (EC2's eventual consistency), and operators lowering the maximum.
/// Over many seeded sequences: the fleet never exceeds the maximum, and the decision is a pure
/// function (same inputs, any listing order → same decision). Seeds above 40 run the `slo` policy.
@Suite struct ScalingPropertyTests {
    struct SimulatedInstance {
        var instance: FleetInstance
        var bootsAt: Double?        // nil: stuck pending forever
        var visibleAt: Double       // the listing shows it from here
        var idleTicks = 0
    }

    @Test(arguments: Array(UInt64(1)...UInt64(80)))
    func maximumIsNeverExceededAndDecisionsAreDeterministic(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var settings = ScalingSettings()
        settings.maxInstances = Int.random(in: 1...25, using: &random)
        settings.minInstances = Int.random(in: 0...min(3, settings.maxInstances), using: &random)
        settings.targetBacklogPerInstance = Int.random(in: 1...4, using: &random)
        settings.maxLaunchesPerTick = Int.random(in: 1...20, using: &random)
        settings.launchCooldownSeconds = Double(Int.random(in: 0...15, using: &random))
        settings.pendingTimeoutSeconds = Double(Int.random(in: 20...120, using: &random))
        let lowersMaximumAtTick = Bool.random(using: &random) ? Int.random(in: 50...250, using: &random) : nil
        settings.policy = seed > 40 ? .slo : .backlog

        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let interval = 3.0
        var world: [SimulatedInstance] = []
        var state = ScalingState()
        var visible = 0
        var inFlight = 0
        var serial = 0
        var everExceededLoweredMaximum = false

        for tick in 0..<300 {
            let seconds = Double(tick) * interval
            let now = start.addingTimeInterval(seconds)
            if tick == lowersMaximumAtTick { settings.maxInstances = max(settings.minInstances, settings.maxInstances / 2) }

            // Concurrent uploads: several bursts may land in one tick.
            for _ in 0..<Int.random(in: 0...2, using: &random) where Int.random(in: 0..<10, using: &random) == 0 {
                visible += Int.random(in: 1...60, using: &random)
            }
            // Instances boot, work, idle out.
            for index in world.indices {
                var entry = world[index]
                switch entry.instance.state {
                case .pending:
                    if let bootsAt = entry.bootsAt, seconds >= bootsAt { entry.instance.state = .running }
                case .running:
                    let done = min(inFlight, Int.random(in: 0...2, using: &random))
                    inFlight -= done
                    let taken = min(visible, Int.random(in: 0...2, using: &random))
                    visible -= taken
                    inFlight += taken
                    entry.idleTicks = taken == 0 && done == 0 ? entry.idleTicks + 1 : 0
                    if entry.idleTicks >= 5 { entry.instance.state = .shuttingDown }
                case .shuttingDown:
                    entry.instance.state = .terminated
                default:
                    break
                }
                world[index] = entry
            }
            if world.allSatisfy({ $0.instance.state != .running }) { visible += inFlight; inFlight = 0 }

            let listing = world.filter { seconds >= $0.visibleAt }.map(\.instance)
            let backlog = QueueBacklog(visible: visible, inFlight: inFlight)
            let decision = ScalingPolicy.decide(backlog: backlog, instances: listing, settings: settings,
                                                state: state, now: now)

            // Deterministic: the same inputs, in another listing order, decide the same.
            var shuffled = listing
            shuffled.shuffle(using: &random)
            let again = ScalingPolicy.decide(backlog: backlog, instances: shuffled, settings: settings,
                                             state: state, now: now)
            #expect(again == decision, "seed \(seed) tick \(tick)")

            #expect(decision.launch >= 0 && decision.launch <= settings.maxLaunchesPerTick)
            #expect(decision.desired <= settings.maxInstances)
            let liveBefore = world.filter { $0.instance.state.countsAsCapacity }.count
            if liveBefore - decision.terminations.count >= settings.maxInstances {
                #expect(decision.launch == 0, "seed \(seed) tick \(tick)")
            }
            for termination in decision.terminations {
                // Running instances go only when above a lowered maximum, or as the `slo` policy's surplus.
                if let entry = world.first(where: { $0.instance.id == termination.instanceID }),
                   entry.instance.state == .running {
                    #expect(termination.reason == .aboveMaximum(maximum: settings.maxInstances)
                        || settings.policy == .slo && termination.reason == .surplus(desired: decision.desired))
                }
            }

            // Carry the decision out.
            state = decision.nextState
            let terminated = Set(decision.terminations.map(\.instanceID))
            for index in world.indices where terminated.contains(world[index].instance.id) {
                world[index].instance.state = .terminated
            }
            var launchedIDs: [String] = []
            for _ in 0..<decision.launch {
                serial += 1
                let id = "i-\(serial)"
                let stuck = Int.random(in: 0..<20, using: &random) == 0
                world.append(SimulatedInstance(
                    instance: FleetInstance(id: id, state: .pending, launchedAt: now, name: "app-tier-\(serial)"),
                    bootsAt: stuck ? nil : seconds + Double(Int.random(in: 3...30, using: &random)),
                    visibleAt: seconds + Double(Int.random(in: 0...12, using: &random))))
                launchedIDs.append(id)
            }
            state.recordLaunch(ids: launchedIDs, at: now)

            let liveAfter = world.filter { $0.instance.state.countsAsCapacity }.count
            if let lowered = lowersMaximumAtTick, tick >= lowered {
                // Excess launched before the cut is terminated as it appears, never added to.
                if decision.launch > 0 { #expect(liveAfter <= settings.maxInstances, "seed \(seed) tick \(tick)") }
                if tick > lowered + 10 { everExceededLoweredMaximum = everExceededLoweredMaximum || liveAfter > settings.maxInstances }
            } else {
                #expect(liveAfter <= settings.maxInstances, "seed \(seed) tick \(tick): \(decision.explanation)")
            }
        }
        #expect(!everExceededLoweredMaximum, "seed \(seed): the fleet stayed above the lowered maximum")
    }
}
