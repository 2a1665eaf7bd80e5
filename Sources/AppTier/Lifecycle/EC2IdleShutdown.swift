import AWS
import Foundation
import Logging

/// EC2 mode: the worker terminates its own instance (found through IMDSv2) so that an idle
/// fleet stops costing money. Retried, since a worker that fails to terminate keeps billing;
/// if every attempt fails the process exits non-zero, systemd restarts it, and the next idle
/// period tries again.
public struct EC2IdleShutdown: IdleShutdown {
    public let metadata: IMDSClient
    public let ec2: EC2Client
    public let attempts: Int

    public init(metadata: IMDSClient, ec2: EC2Client, attempts: Int = 5) {
        self.metadata = metadata
        self.ec2 = ec2
        self.attempts = max(1, attempts)
    }

    public func shutDownIdleWorker(logger: Logger) async -> Int32 {
        for attempt in 1...attempts {
            do {
                let instanceID = try await metadata.instanceID()
                let changes = try await ec2.terminateInstances([instanceID])
                logger.info("idle: terminated own instance", metadata: [
                    "instanceId": "\(instanceID)",
                    "state": "\(changes.first.map { "\($0.previousState) -> \($0.currentState)" } ?? "?")",
                ])
                return 0
            } catch {
                logger.error("idle: could not terminate own instance", metadata: [
                    "attempt": "\(attempt)/\(attempts)", "reason": "\(error)",
                ])
                if attempt < attempts { try? await Task.sleep(for: .seconds(Double(1 << min(attempt, 4)))) }
            }
        }
        return 1
    }
}
