import Foundation
import Logging
import Pipeline

/// The autoscaler's thin shell around `ScalingPolicy`: every `scaling.intervalSeconds` it reads
/// the request queue's depth, lists the fleet, asks the policy, and carries out the decision
/// through the fleet. Each tick publishes a `FleetSnapshot`.
///
/// For the web tier (API notes):
/// - build it with `ScalingController.make(configuration:clients:resources:...)` (or the init with
///   any `JobQueue` and `Fleet`), start `Task { await controller.run() }`, and call
///   `await controller.shutdown()` when the web tier stops (stops the loop and, for the local
///   fleet, the worker processes);
/// - `snapshots()` is a stream per subscriber (the `/ws/fleet` broadcaster): it yields the latest
///   snapshot at once, then one per tick, keeping only the newest few if the reader lags, and
///   finishes on `stop()`; `latest` is the last one (for `/metrics`).
///
/// Failures never end the loop: a failed listing or depth read skips the tick (scaling blind
/// could launch duplicates), a failed launch or termination is logged, retried on a later tick,
/// and shown in the snapshot's `explanation`.
public actor ScalingController {
    public nonisolated let fleet: any Fleet
    public nonisolated let queue: any JobQueue
    public nonisolated let settings: ScalingSettings
    /// Worker heartbeats (fed by the result poller); nil turns the health rule off.
    public nonisolated let heartbeats: WorkerHeartbeats?
    private let logger: Logger
    private let clock: @Sendable () -> Date

    /// What the policy remembers between ticks (cool-down, launches not yet listed).
    public private(set) var state = ScalingState()
    /// The last tick's snapshot.
    public private(set) var latest: FleetSnapshot?
    /// The last tick's decision (nil when the tick could not decide).
    public private(set) var lastDecision: ScalingDecision?
    /// The last fleet or queue failure, cleared by a tick without one.
    public private(set) var lastError: String?

    private var subscribers: [UUID: AsyncStream<FleetSnapshot>.Continuation] = [:]
    /// Ticks run one after another even when called concurrently: each waits for the one before,
    /// so two ticks never decide from the same listing and launch twice.
    private var previousTick: Task<FleetSnapshot, Never>?
    private var isRunning = false
    private var isStopped = false
    private var sleeper: Task<Void, Never>?
    /// The last decision logged at info level, to log a steady fleet once rather than every tick.
    private var lastLoggedExplanation = ""

    public init(queue: any JobQueue, fleet: any Fleet, settings: ScalingSettings,
                logger: Logger = Logger(label: "autoscaler"), clock: @escaping @Sendable () -> Date = { Date() },
                heartbeats: WorkerHeartbeats? = nil) {
        self.queue = queue
        self.fleet = fleet
        self.settings = settings
        self.heartbeats = heartbeats
        self.logger = logger
        self.clock = clock
    }

    // MARK: Loop

    /// Ticks every `settings.intervalSeconds` until `stop()` or cancellation. A second call while
    /// one loop runs returns at once, and so does a call after `stop()` (make a new controller:
    /// it adopts the fleet).
    public func run() async {
        guard !isRunning, !isStopped else { return }
        isRunning = true
        defer { isRunning = false }
        logger.info("autoscaler started", metadata: [
            "interval": "\(settings.intervalSeconds)", "min": "\(settings.minInstances)", "max": "\(settings.maxInstances)",
            "policy": "\(settings.policy.rawValue)",
        ])
        while !isStopped, !Task.isCancelled {
            _ = await tick()
            guard !isStopped else { break }
            let interval = max(settings.intervalSeconds, 0.05)
            let nap = Task { _ = try? await Task.sleep(for: .seconds(interval)) }
            sleeper = nap
            await withTaskCancellationHandler { await nap.value } onCancel: { nap.cancel() }
            sleeper = nil
        }
        logger.info("autoscaler stopped")
    }

    /// Ends the loop (after the tick in progress) and finishes every snapshot stream.
    public func stop() {
        isStopped = true
        sleeper?.cancel()
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }

    /// `stop()`, then lets the fleet release what must not outlive the web tier
    /// (`Fleet.webTierStopping`: local worker processes stop, EC2 instances are left running).
    public func shutdown() async {
        stop()
        await fleet.webTierStopping()
    }

    // MARK: Snapshots

    /// A stream of snapshots: the latest at once (if any), then one per tick until `stop()`.
    public func snapshots() -> AsyncStream<FleetSnapshot> {
        let (stream, continuation) = AsyncStream.makeStream(of: FleetSnapshot.self, bufferingPolicy: .bufferingNewest(8))
        guard !isStopped else {
            continuation.finish()
            return stream
        }
        let id = UUID()
        subscribers[id] = continuation
        if let latest { continuation.yield(latest) }
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return stream
    }

    private func unsubscribe(_ id: UUID) { subscribers[id] = nil }

    // MARK: Results

    /// Teaches the `slo` policy the fleet's pace: call it for each result from the response queue.
    public func recordResult(worker: String, inferenceMs: Double) {
        state.demand.recordResult(worker: worker, inferenceMs: inferenceMs)
    }

    // MARK: One tick

    /// One control step; `run()` calls it every interval, tests call it directly. Concurrent
    /// calls are serialised.
    @discardableResult
    public func tick() async -> FleetSnapshot {
        let before = previousTick
        let current = Task { [self] in
            _ = await before?.value
            return await self.performTick()
        }
        previousTick = current
        return await current.value
    }

    private func performTick() async -> FleetSnapshot {
        let now = clock()
        let backlog: QueueBacklog
        do {
            let depth = try await queue.depth()
            backlog = QueueBacklog(visible: depth.visible, inFlight: depth.inFlight)
        } catch {
            return publishSkipped(reason: "could not read the request queue's depth: \(error)", queue: nil, at: now)
        }
        let instances: [FleetInstance]
        do {
            instances = try await fleet.instances()
        } catch {
            return publishSkipped(reason: "\(error)", queue: backlog, at: now)
        }

        var decision = ScalingPolicy.decide(backlog: backlog, instances: instances, settings: settings, state: state,
                                            now: now)
        if let heartbeats {
            HeartbeatRule.apply(to: &decision, instances: instances, lastHeartbeats: heartbeats.snapshot(),
                                watchingSince: heartbeats.watchingSince, graceSeconds: settings.heartbeatGraceSeconds,
                                now: now)
        }
        if fleet.keepsWarmPool {
            WarmPoolPrefill.apply(to: &decision, instances: instances, settings: settings, state: state, now: now)
        }
        state = decision.nextState
        var problems: [String] = []

        let terminations = decision.terminations.map(\.instanceID)
        let released = decision.terminations.filter(\.reason.isSurplus).map(\.instanceID)
        let broken = terminations.filter { !released.contains($0) }
        if !broken.isEmpty {
            do {
                try await fleet.terminate(ids: broken)
            } catch {
                problems.append("\(error)")
            }
        }
        if !released.isEmpty {
            do {
                try await fleet.release(ids: released)
            } catch {
                problems.append("\(error)")
            }
        }
        let fleet = fleet
        if decision.launch > 0 {
            let count = decision.launch
            if let problem = await carryOutLaunch(at: now, { () async throws(FleetError) in try await fleet.launch(count: count) }) {
                problems.append(problem)
            }
        }
        if decision.prefill > 0 {
            let count = decision.prefill
            if let problem = await carryOutLaunch(at: now, { () async throws(FleetError) in
                try await fleet.prefillWarmPool(count: count)
            }) {
                problems.append(problem)
            }
        }

        var snapshot = FleetSnapshot(decision: decision, queue: backlog, maximum: settings.maxInstances, at: now,
                                     warmPool: settings.warmPool.size)
        if problems.isEmpty {
            lastError = nil
            if decision.explanation != lastLoggedExplanation || decision.launch > 0 || decision.prefill > 0
                || !terminations.isEmpty {
                logger.info("\(decision.explanation)")
                lastLoggedExplanation = decision.explanation
            } else {
                logger.debug("\(decision.explanation)")
            }
        } else {
            let message = problems.joined(separator: "; ")
            lastError = message
            snapshot.explanation += "; error: \(message)"
            logger.error("autoscaler action failed", metadata: ["decision": "\(decision.explanation)", "error": "\(message)"])
        }
        lastDecision = decision
        publish(snapshot)
        return snapshot
    }

    /// Runs one launch (ordinary or prefill) and records what it started; returns the failure,
    /// if any, for the snapshot's explanation.
    private func carryOutLaunch(
        at now: Date, _ launch: () async throws(FleetError) -> [FleetInstance]
    ) async -> String? {
        do {
            state.recordLaunch(ids: try await launch().map(\.id), at: now)
            return nil
        } catch {
            if case let .partialLaunch(launched, _, _) = error {
                state.recordLaunch(ids: launched.map(\.id), at: now)
            } else {
                // A failed launch waits the cool-down too, so a misconfigured fleet or an
                // exhausted account is not asked again every tick.
                state.lastLaunchAt = now
            }
            return "\(error)"
        }
    }

    /// A tick that could not decide: the snapshot keeps the last known instance counts and says why.
    private func publishSkipped(reason: String, queue backlog: QueueBacklog?, at now: Date) -> FleetSnapshot {
        lastError = reason
        logger.error("autoscaler skipped a tick", metadata: ["reason": "\(reason)"])
        let snapshot = FleetSnapshot(
            at: APIJSON.milliseconds(now), queue: backlog ?? latest?.queue ?? QueueBacklog(visible: 0, inFlight: 0),
            instances: latest?.instances ?? InstanceCounts(pending: 0, running: 0),
            desired: latest?.desired ?? 0, max: settings.maxInstances,
            explanation: "not scaling this tick: \(reason)", warmPool: settings.warmPool.size)
        publish(snapshot)
        return snapshot
    }

    private func publish(_ snapshot: FleetSnapshot) {
        latest = snapshot
        for continuation in subscribers.values { continuation.yield(snapshot) }
    }
}
