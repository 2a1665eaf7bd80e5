import AWS
import Foundation
import Pipeline

/// Creates, idempotently, everything a deployment needs: private buckets, the queues with their
/// dead-letter queue, one role + instance profile per tier with its least-privilege policy, and
/// the two security groups. Each is tagged as ours; what exists already and is ours is brought to
/// the wanted state (a second run changes nothing); what exists and is not ours stops the run.
public struct Provisioner: Sendable {
    public let configuration: Configuration
    public let clients: DeploymentClients
    public let names: DeploymentNames

    public init(configuration: Configuration, clients: DeploymentClients) {
        self.configuration = configuration
        self.clients = clients
        names = DeploymentNames(configuration)
    }

    /// What a run made, and the ids the generated configuration needs.
    public struct Result: Sendable, Equatable {
        public var changes: [ResourceChange]
        public var appTierSecurityGroupId: String
        public var webTierSecurityGroupId: String
        public var appTierRoleArn: String
        public var webTierRoleArn: String
    }

    public func run() async throws -> Result {
        try validate()
        var changes: [ResourceChange] = []
        for bucket in [names.inputBucket, names.outputBucket] {
            changes += try await BucketProvisioning(s3: clients.s3, names: names).ensure(
                bucket, expiry: bucket == names.inputBucket ? uploadExpiry : [])
        }
        let queues = try await QueueProvisioning(sqs: clients.sqs, names: names, settings: configuration.queues).ensure()
        changes += queues.changes
        let roles = RoleProvisioning(iam: clients.iam, names: names)
        let appRole = try await roles.ensureRole(names.appTierRole)
        let webRole = try await roles.ensureRole(names.webTierRole)
        changes += [appRole.change, webRole.change]
        guard let context = PolicyContext(names: names, anyArn: queues.requestQueueArn, appTierRoleArn: appRole.arn) else {
            throw ProvisioningError.unexpected("cannot read the account from the queue ARN \(queues.requestQueueArn)")
        }
        changes.append(try await roles.ensurePolicy(role: names.appTierRole, TierPolicies.appTier(context)))
        changes.append(try await roles.ensurePolicy(role: names.webTierRole, TierPolicies.webTier(context)))
        changes.append(try await roles.ensureInstanceProfile(names.appTierRole))
        changes.append(try await roles.ensureInstanceProfile(names.webTierRole))
        let groups = SecurityGroupProvisioning(ec2: clients.ec2, names: names, vpcId: configuration.deploy.vpcId)
        // Descriptions without spaces: moto's signature check re-encodes a form body's spaces as
        // '+' and rejects our (correct) %20.
        let app = try await groups.ensure(names.appTierSecurityGroup, description: "ElasticClassifier-app-tier-no-inbound",
                                          ingress: nil)
        let web = try await groups.ensure(names.webTierSecurityGroup, description: "ElasticClassifier-web-tier-HTTP-in",
                                          ingress: EC2IngressRule(fromPort: configuration.web.port, toPort: configuration.web.port,
                                                                  cidr: configuration.deploy.webIngressCIDR))
        changes += [app.change, web.change]
        return Result(changes: changes, appTierSecurityGroupId: app.groupId, webTierSecurityGroupId: web.groupId,
                      appTierRoleArn: appRole.arn, webTierRoleArn: webRole.arn)
    }

    var uploadExpiry: [S3ExpiryRule] {
        configuration.deploy.expireUploadsAfterDays.map {
            [S3ExpiryRule(id: "expire-uploads", prefix: DeploymentNames.uploadsPrefix, days: $0)]
        } ?? []
    }

    func validate() throws {
        let deploy = configuration.deploy
        if let days = deploy.expireUploadsAfterDays, days < 1 {
            throw ProvisioningError.invalidSetting(keyPath: "deploy.expireUploadsAfterDays", reason: "at least 1 day, or null to keep uploads")
        }
        let cidr = deploy.webIngressCIDR.split(separator: "/")
        let octets = cidr.first?.split(separator: ".").compactMap { UInt8($0) } ?? []
        guard cidr.count == 2, octets.count == 4, let bits = Int(cidr[1]), (0...32).contains(bits) else {
            throw ProvisioningError.invalidSetting(keyPath: "deploy.webIngressCIDR",
                                                   reason: "'\(deploy.webIngressCIDR)' is not an IPv4 CIDR such as 203.0.113.7/32")
        }
        guard (1...65_535).contains(configuration.web.port) else {
            throw ProvisioningError.invalidSetting(keyPath: "web.port", reason: "the web tier's security group needs a fixed port")
        }
        guard !names.fleetTag.isEmpty else {
            throw ProvisioningError.invalidSetting(keyPath: "fleet.fleetTag", reason: "every resource is found again by this tag")
        }
    }
}
