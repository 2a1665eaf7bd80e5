import Foundation
import Pipeline
import WebTier

/// One autoscaling policy as the simulator drives it: asked at every control tick with the
/// queue's depth and the fleet's listing, told about every result and every launch it caused.
public protocol ScalingStrategy: Sendable {
    /// The name in the report.
    var name: String { get }
    /// Seconds between ticks.
    var intervalSeconds: Double { get }
    /// Whether workers run the idle rule (`worker.maxEmptyPollsBeforeShutdown`); an EC2 Auto
    /// Scaling group scales in itself instead.
    var workersIdleOut: Bool { get }
    /// Instances the policy keeps with nothing to do; a run ends when every image is answered
    /// and the fleet is down to these.
    var restingInstances: Int { get }
    mutating func decide(backlog: QueueBacklog, instances: [FleetInstance], now: Date) -> FleetActions
    mutating func launched(ids: [String], at now: Date)
    mutating func recordResult(worker: String, inferenceMs: Double)
    /// The fleet's warm pool (`scaling.warmPool`); size 0: none.
    var warmPool: WarmPoolSettings { get }
}

extension ScalingStrategy {
    public var warmPool: WarmPoolSettings { WarmPoolSettings() }
}

/// What a tick asks the fleet to do.
public struct FleetActions: Sendable, Equatable {
    public var launch: Int
    public var terminate: [String]

    public init(launch: Int, terminate: [String]) {
        self.launch = launch
        self.terminate = terminate
    }
}

/// Our controller's rule, `ScalingPolicy.decide` (the function `ScalingController` calls each
/// tick), with its memory carried between ticks as the controller carries it.
public struct ControllerStrategy: ScalingStrategy {
    public let name: String
    public let settings: ScalingSettings
    public private(set) var state = ScalingState()
    public var intervalSeconds: Double { settings.intervalSeconds }
    public var workersIdleOut: Bool { true }
    public var restingInstances: Int { settings.minInstances }
    public var warmPool: WarmPoolSettings { settings.warmPool }

    public init(name: String, settings: ScalingSettings) {
        self.name = name
        self.settings = settings
    }

    public mutating func decide(backlog: QueueBacklog, instances: [FleetInstance], now: Date) -> FleetActions {
        let decision = ScalingPolicy.decide(backlog: backlog, instances: instances, settings: settings, state: state,
                                            now: now)
        state = decision.nextState
        return FleetActions(launch: decision.launch, terminate: decision.terminations.map(\.instanceID))
    }

    public mutating func launched(ids: [String], at now: Date) {
        state.recordLaunch(ids: ids, at: now)
    }

    public mutating func recordResult(worker: String, inferenceMs: Double) {
        state.demand.recordResult(worker: worker, inferenceMs: inferenceMs)
    }
}
