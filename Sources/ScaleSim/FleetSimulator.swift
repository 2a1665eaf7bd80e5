import Foundation
import Pipeline
import WebTier

/// A discrete-event simulation of the whole loop: images arrive in the request queue, the
/// strategy's controller ticks, instances boot, workers long-poll (running the worker's real idle
/// rule, `EmptyPollCounter`), classify, answer, and idle out or are terminated; every instance is
/// billed. Simulated seconds, no clock, no threads: the same seed gives the same run.
///
/// SQS as modelled: a long poll returns as soon as a message is visible (waiting pollers are
/// served in the order they started), or empty after `longPollSeconds`; a received message is in
/// flight (invisible, counted as `inFlight`) until its job deletes it. A terminated worker drains:
/// it receives nothing more, finishes its jobs, and its instance is billed until then.
///
/// A warm pool (`ScalingStrategy.warmPool`, size N) starts with N stopped, pre-initialised
/// members. A scale-out starts stopped members first (ready after `startSeconds` instead of the
/// boot); a member whose worker idles out, or that the policy releases, stops instead of ending.
/// Each start bills its own minute, like a launch; stopped time is counted apart (a stopped
/// instance bills its volume, not compute).
public enum FleetSimulator {
    public static func run(
        workload: Workload, strategy: some ScalingStrategy, parameters: SimulationParameters,
        random: inout some RandomNumberGenerator
    ) -> SimulationResult {
        var engine = Engine(arrivals: workload.arrivals(using: &random), strategy: strategy, parameters: parameters)
        engine.run(random: &random)
        return engine.result(workload: workload)
    }
}

private enum Event {
    case arrival(image: Int)
    case tick
    case ready(instance: Int)
    case pollTimeout(instance: Int, poll: Int)
    case jobDone(instance: Int, image: Int, inferenceMs: Double)
}

private struct SimulatedInstance {
    let id: String
    let launchedAt: Double
    let readyAt: Double
    /// A warm-pool member stops instead of ending.
    var isPoolMember = false
    var idleRule: EmptyPollCounter
    var stopping = false
    var terminatedAt: Double?
    var jobs = 0
    var polling = false
    var pollNumber = 0
    var modelFreeAt = 0.0

    var isLive: Bool { terminatedAt == nil }
}

private struct Engine<Strategy: ScalingStrategy> {
    static var epoch: Date { Date(timeIntervalSince1970: 1_800_000_000) }

    let arrivals: [Double]
    var strategy: Strategy
    let parameters: SimulationParameters
    var agenda = EventQueue<Event>()
    var now = 0.0
    var visible: [Int] = []
    var visibleHead = 0
    var inFlight = 0
    var waiters: [(instance: Int, poll: Int)] = []
    var waitersHead = 0
    var instances: [SimulatedInstance] = []
    var answeredAt: [Double?]
    var answered = 0
    var peakInstances = 0
    var endTime = 0.0
    var cutOff = false
    /// Every image answered and the fleet down to its resting size: the run is over.
    var settled = false
    /// When each stopped warm-pool member stopped; the members live (pending or running) now.
    var stoppedSince: [Double] = []
    var liveMembers = 0
    var stoppedSeconds = 0.0
    var starts = 0

    init(arrivals: [Double], strategy: Strategy, parameters: SimulationParameters) {
        self.arrivals = arrivals
        self.strategy = strategy
        self.parameters = parameters
        answeredAt = Array(repeating: nil, count: arrivals.count)
        stoppedSince = Array(repeating: 0, count: max(strategy.warmPool.size, 0))
    }

    var visibleCount: Int { visible.count - visibleHead }
    var liveCount: Int { instances.reduce(0) { $0 + ($1.isLive ? 1 : 0) } }
    var deadline: Double { (arrivals.last ?? 0) + parameters.tailLimitSeconds }

    mutating func run(random: inout some RandomNumberGenerator) {
        for (image, time) in arrivals.enumerated() { agenda.schedule(.arrival(image: image), at: time) }
        agenda.schedule(.tick, at: 0)
        while !settled, let (time, event) = agenda.next() {
            if time > deadline {
                cutOff = true
                now = deadline
                break
            }
            now = time
            switch event {
            case let .arrival(image):
                visible.append(image)
                serveWaiters(random: &random)
            case .tick:
                tick()
            case let .ready(index):
                if instances[index].isLive, !instances[index].stopping { poll(index, random: &random) }
            case let .pollTimeout(index, number):
                pollTimedOut(index, number: number, random: &random)
            case let .jobDone(index, image, inferenceMs):
                finish(index, image: image, inferenceMs: inferenceMs, random: &random)
            }
        }
        endTime = now
    }

    // MARK: Control

    mutating func tick() {
        let listing = instances.compactMap { instance -> FleetInstance? in
            guard instance.isLive else { return nil }
            let state: InstanceState = instance.stopping ? .shuttingDown : now < instance.readyAt ? .pending : .running
            return FleetInstance(id: instance.id, state: state, launchedAt: Self.epoch + instance.launchedAt)
        } + stoppedSince.indices.map { FleetInstance(id: "stopped-\($0)", state: .stopped, launchedAt: Self.epoch) }
        let actions = strategy.decide(backlog: QueueBacklog(visible: visibleCount, inFlight: inFlight),
                                      instances: listing, now: Self.epoch + now)
        for id in actions.terminate {
            guard let index = instances.firstIndex(where: { $0.id == id }), instances[index].isLive else { continue }
            instances[index].stopping = true
            instances[index].polling = false
            if instances[index].jobs == 0 { end(index) }
        }
        if actions.launch > 0 {
            var ids: [String] = []
            for _ in 0..<actions.launch {
                let index = instances.count
                let warm = !stoppedSince.isEmpty
                if let since = stoppedSince.popLast() {
                    stoppedSeconds += now - since
                    starts += 1
                }
                let joins = warm || liveMembers + stoppedSince.count < strategy.warmPool.size
                if joins { liveMembers += 1 }
                let delay = warm ? strategy.warmPool.startSeconds : parameters.bootSeconds
                let instance = SimulatedInstance(id: "i-\(index)", launchedAt: now, readyAt: now + delay, isPoolMember: joins,
                                                 idleRule: EmptyPollCounter(maxEmptyPolls: parameters.maxEmptyPolls))
                instances.append(instance)
                ids.append(instance.id)
                agenda.schedule(.ready(instance: index), at: instance.readyAt)
            }
            strategy.launched(ids: ids, at: Self.epoch + now)
        }
        peakInstances = max(peakInstances, liveCount)
        settled = answered == arrivals.count && liveCount <= strategy.restingInstances
            && now >= (arrivals.last ?? 0)
        if !settled { agenda.schedule(.tick, at: now + max(strategy.intervalSeconds, 0.05)) }
    }

    // MARK: Workers

    /// The worker's receive loop: take what is visible into free slots, then long-poll for more.
    mutating func poll(_ index: Int, random: inout some RandomNumberGenerator) {
        guard instances[index].isLive, !instances[index].stopping, !instances[index].polling,
              now >= instances[index].readyAt else { return }
        while instances[index].jobs < parameters.parallelism, visibleCount > 0 {
            receive(index, random: &random)
        }
        guard instances[index].jobs < parameters.parallelism else { return }  // resumes when a job ends
        instances[index].polling = true
        instances[index].pollNumber += 1
        waiters.append((index, instances[index].pollNumber))
        agenda.schedule(.pollTimeout(instance: index, poll: instances[index].pollNumber),
                        at: now + parameters.longPollSeconds)
    }

    /// One ReceiveMessage that found messages.
    mutating func receive(_ index: Int, random: inout some RandomNumberGenerator) {
        let wanted = min(parameters.parallelism - instances[index].jobs, parameters.receiveBatchSize)
        let count = min(wanted, visibleCount)
        _ = instances[index].idleRule.record(received: count, jobsInFlight: instances[index].jobs)
        for _ in 0..<count {
            let image = visible[visibleHead]
            visibleHead += 1
            start(image, on: index, random: &random)
        }
        if visibleHead > 4096, visibleHead * 2 > visible.count {
            visible.removeFirst(visibleHead)
            visibleHead = 0
        }
    }

    mutating func serveWaiters(random: inout some RandomNumberGenerator) {
        while visibleCount > 0, waitersHead < waiters.count {
            let (index, number) = waiters[waitersHead]
            waitersHead += 1
            guard instances[index].polling, instances[index].pollNumber == number else { continue }
            instances[index].polling = false
            receive(index, random: &random)
            poll(index, random: &random)
        }
        if waitersHead > 1024, waitersHead * 2 > waiters.count {
            waiters.removeFirst(waitersHead)
            waitersHead = 0
        }
    }

    mutating func pollTimedOut(_ index: Int, number: Int, random: inout some RandomNumberGenerator) {
        guard instances[index].polling, instances[index].pollNumber == number else { return }
        instances[index].polling = false
        let idle = instances[index].idleRule.record(received: 0, jobsInFlight: instances[index].jobs)
        if idle, strategy.workersIdleOut {
            end(index)  // the EC2 worker terminates (a pool member: stops) its own instance
            return
        }
        poll(index, random: &random)
    }

    mutating func start(_ image: Int, on index: Int, random: inout some RandomNumberGenerator) {
        instances[index].jobs += 1
        inFlight += 1
        let half = parameters.serviceTimes.networkSeconds / 2
        let classify = parameters.serviceTimes.classifySeconds(using: &random)
        let modelStart = max(now + half, instances[index].modelFreeAt)
        instances[index].modelFreeAt = modelStart + classify
        agenda.schedule(.jobDone(instance: index, image: image, inferenceMs: classify * 1000),
                        at: modelStart + classify + half)
    }

    mutating func finish(_ index: Int, image: Int, inferenceMs: Double, random: inout some RandomNumberGenerator) {
        instances[index].jobs -= 1
        inFlight -= 1
        answeredAt[image] = now
        answered += 1
        strategy.recordResult(worker: instances[index].id, inferenceMs: inferenceMs)
        if instances[index].stopping {
            if instances[index].jobs == 0 { end(index) }
        } else {
            poll(index, random: &random)
        }
    }

    /// The instance stops working: a pool member is stopped (and waits in the pool), any other
    /// terminated. Either way its compute billing ends now.
    mutating func end(_ index: Int) {
        instances[index].terminatedAt = now
        guard instances[index].isPoolMember else { return }
        liveMembers -= 1
        stoppedSince.append(now)
    }

    // MARK: Report

    func result(workload: Workload) -> SimulationResult {
        var latencies: [Double] = []
        var lastAnswer = 0.0
        for (image, answered) in answeredAt.enumerated() {
            guard let answered else { continue }
            latencies.append(answered - arrivals[image])
            lastAnswer = max(lastAnswer, answered)
        }
        let billed = instances.reduce(0.0) { total, instance in
            let seconds = ((instance.terminatedAt ?? endTime) - instance.launchedAt).rounded(.up)
            return total + max(seconds, parameters.billingMinimumSeconds)
        }
        return SimulationResult(
            policy: strategy.name, workload: workload.description, latencies: latencies.sorted(),
            images: arrivals.count, lastResultSeconds: lastAnswer, billedInstanceSeconds: billed,
            peakInstances: peakInstances, launches: instances.count - starts, cutOff: cutOff,
            stoppedInstanceSeconds: stoppedSeconds + stoppedSince.reduce(0) { $0 + endTime - $1 }, warmStarts: starts)
    }
}
