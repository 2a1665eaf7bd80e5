import Foundation
import WebTier

/// The anchor from AWS's documentation, "Scaling policy based on Amazon SQS": an Auto Scaling
/// group with a target tracking policy on a custom metric, backlog per instance =
/// ApproximateNumberOfMessagesVisible / InService instances, and target = the acceptable latency /
/// the time an instance takes per message. As CloudWatch runs it:
/// - the metric is one datapoint a minute;
/// - the scale-out alarm fires after 3 datapoints in a row above the target, the scale-in alarm
///   after 15 in a row below it;
/// - a firing alarm sets the capacity to ceil(InService × metric / target), counting instances
///   still in their warm-up as capacity already on its way (so they are not launched twice),
///   and instances in warm-up are not InService (they do not dilute the metric);
/// - the group scales in itself (workers do not idle out), terminating the surplus; their
///   workers drain on the stop signal.
/// The group keeps at least one instance (`minInstances`): with none, nothing is InService, the
/// metric has no denominator, and a backlog below the target never fires the alarm.
public struct TargetTrackingStrategy: ScalingStrategy {
    public let name: String
    public let targetBacklogPerInstance: Double
    public let warmupSeconds: Double
    public let minInstances: Int
    public let maxInstances: Int
    public let periodSeconds = 60.0
    public let scaleOutDatapoints = 3
    public let scaleInDatapoints = 15
    public var intervalSeconds: Double { periodSeconds }
    public var workersIdleOut: Bool { false }
    public var restingInstances: Int { minInstances }

    var datapoints: [Double] = []

    public init(name: String = "AWS target tracking", targetBacklogPerInstance: Double, warmupSeconds: Double,
                minInstances: Int = 1, maxInstances: Int) {
        self.name = name
        self.targetBacklogPerInstance = max(targetBacklogPerInstance, 1)
        self.warmupSeconds = warmupSeconds
        self.minInstances = minInstances
        self.maxInstances = maxInstances
    }

    public mutating func decide(backlog: QueueBacklog, instances: [FleetInstance], now: Date) -> FleetActions {
        let live = instances.filter(\.state.countsAsCapacity)
        let inService = live.filter { $0.state == .running && now.timeIntervalSince($0.launchedAt) >= warmupSeconds }
        let metric = Double(max(backlog.visible, 0)) / Double(max(inService.count, 1))
        datapoints.append(metric)
        datapoints = Array(datapoints.suffix(scaleInDatapoints))
        let wanted = min(max(Int((Double(max(inService.count, 1)) * metric / targetBacklogPerInstance).rounded(.up)),
                             minInstances), maxInstances)
        if live.count < minInstances {
            return FleetActions(launch: minInstances - live.count, terminate: [])
        }
        if datapoints.count >= scaleOutDatapoints, datapoints.suffix(scaleOutDatapoints).allSatisfy({ $0 > targetBacklogPerInstance }) {
            return FleetActions(launch: max(wanted - live.count, 0), terminate: [])
        }
        if datapoints.count >= scaleInDatapoints, datapoints.allSatisfy({ $0 < targetBacklogPerInstance }),
           live.count > wanted {
            // The group's default termination policy picks by launch template and zone; with one of
            // each, the instance closest to its next billing hour, i.e. the oldest here.
            let oldestFirst = live.sorted { $0.launchedAt < $1.launchedAt }
            return FleetActions(launch: 0, terminate: oldestFirst.prefix(live.count - wanted).map(\.id))
        }
        return FleetActions(launch: 0, terminate: [])
    }

    public mutating func launched(ids: [String], at now: Date) {}
    public mutating func recordResult(worker: String, inferenceMs: Double) {}
}
