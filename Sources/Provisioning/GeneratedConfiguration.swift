import Foundation
import Pipeline

/// The configuration both tiers run with after provisioning: the input configuration with the
/// provisioned names and ids filled in, and start-up creation turned off (the roles may not
/// create queues or buckets).
public enum GeneratedConfiguration {
    public static func make(from configuration: Configuration, _ result: Provisioner.Result) -> Configuration {
        var generated = configuration
        generated.storage.createIfMissing = false
        generated.queues.createIfMissing = false
        generated.worker.mode = .ec2
        generated.fleet.kind = .ec2
        generated.fleet.ec2.securityGroupIds = [result.appTierSecurityGroupId]
        generated.fleet.ec2.instanceProfile = configuration.deploy.appTierRole
        return generated
    }

    /// Pretty JSON with sorted keys: a stable file to diff and to commit to a private repository.
    public static func json(_ configuration: Configuration) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(configuration)
    }
}
