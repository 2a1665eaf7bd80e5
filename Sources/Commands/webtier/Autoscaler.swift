import AWSBackends
import Foundation
import Logging
import Pipeline
import WebTier

/// `ScalingController` over the configured fleet, running beside the web tier and
/// feeding `/ws/fleet` and `/metrics`.
struct Autoscaler: Sendable {
    let controller: ScalingController
    let loop: Task<Void, Never>

    static func start(configuration: Configuration, clients: AWSClients, service: WebTierService,
                      workerEnvironment: [String: String], logger: Logger) throws -> Autoscaler {
        let controller: ScalingController
        do {
            controller = try ScalingController.make(configuration: configuration, clients: clients,
                                                    resources: service.resources,
                                                    workerEnvironment: workerEnvironment,
                                                    heartbeats: service.heartbeats)
        } catch {
            logger.error("autoscaler not started", metadata: ["error": "\(error)"])
            throw error
        }
        service.attachFleet(controller)
        let loop = Task { await controller.run() }
        return Autoscaler(controller: controller, loop: loop)
    }

    /// Stops the control loop and the fleet's local workers (EC2 instances idle out on their own).
    func shutdown() async {
        await controller.shutdown()
        await loop.value
    }
}

