import AWS
import Foundation
import Logging
import Pipeline

/// EC2 mode: the worker terminates its own instance (found through IMDSv2) so that an idle
/// fleet stops costing money, or stops it when the instance is a warm-pool member (tagged
/// `WarmPoolTag`; the web tier starts it again on the next scale-out, faster than a launch, and
/// a stopped instance costs only its volume). Retried, since a worker that fails to terminate keeps billing;
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
                let member = try await isPoolMember(instanceID)
                let changes = member ? try await ec2.stopInstances([instanceID]) : try await ec2.terminateInstances([instanceID])
                logger.info(member ? "idle: stopped own instance (warm pool)" : "idle: terminated own instance", metadata: [
                    "instanceId": "\(instanceID)",
                    "state": "\(changes.first.map { "\($0.previousState) -> \($0.currentState)" } ?? "?")",
                ])
                return 0
            } catch {
                logger.error("idle: could not stop or terminate own instance", metadata: [
                    "attempt": "\(attempt)/\(attempts)", "reason": "\(error)",
                ])
                if attempt < attempts { try? await Task.sleep(for: .seconds(Double(1 << min(attempt, 4)))) }
            }
        }
        return 1
    }

    /// Whether the web tier tagged this instance as a warm-pool member (read now, not at start:
    /// membership is given at launch, but an operator may remove the tag to retire a member).
    func isPoolMember(_ instanceID: String) async throws -> Bool {
        let instance = try await ec2.describeInstances(instanceIds: [instanceID]).instances.first
        return instance?.tags[WarmPoolTag.key] == WarmPoolTag.value
    }
}
