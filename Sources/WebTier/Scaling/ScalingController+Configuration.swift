import AWSBackends
import Foundation
import Logging
import Pipeline

extension ScalingController {
    /// The autoscaler a web tier runs with `configuration`: the request queue from `resources`,
    /// and the fleet `fleet.kind` names (`LocalProcessFleet.make` for `local`, `EC2Fleet` over
    /// `clients.ec2` for `ec2`).
    ///
    /// - Parameter workerEnvironment: the local fleet's workers' environment (the web tier's own,
    ///   passed by the command); unused by the EC2 fleet.
    /// - Parameter workerLogDirectory: the local fleet's configuration and log directory (nil: a
    ///   fresh temporary directory); unused by the EC2 fleet.
    /// - Parameter heartbeats: the web tier's record of worker heartbeats
    ///   (`WebTierService.heartbeats`); instances silent past `scaling.heartbeatGraceSeconds` are
    ///   terminated. Nil turns that rule off.
    public static func make(
        configuration: Configuration, clients: AWSClients, resources: ProvisionedResources,
        workerEnvironment: [String: String], workerLogDirectory: URL? = nil, heartbeats: WorkerHeartbeats? = nil, logger: Logger = Logger(label: "autoscaler")
    ) throws(FleetError) -> ScalingController {
        let fleet: any Fleet
        switch configuration.fleet.kind {
        case .local:
            fleet = try LocalProcessFleet.make(configuration: configuration, logDirectory: workerLogDirectory,
                                               environment: workerEnvironment)
        case .ec2:
            fleet = try EC2Fleet(client: clients.ec2, settings: configuration.fleet, warmPool: configuration.scaling.warmPool)
        }
        return ScalingController(queue: resources.requests, fleet: fleet, settings: configuration.scaling, logger: logger,
                                 heartbeats: heartbeats)
    }
}
