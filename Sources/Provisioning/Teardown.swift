import AWS
import Foundation
import Pipeline

/// Deletes what provisioning made and nothing else: the fleet's instances and the security
/// groups found by the fleet tag, and the named buckets, queues, roles and profiles only when
/// they carry that tag. Safe to run twice (the second run finds everything absent).
public struct Teardown: Sendable {
    public let configuration: Configuration
    public let clients: DeploymentClients
    public let names: DeploymentNames
    /// How often to look whether the fleet has terminated.
    public var pollInterval: Duration = .seconds(5)

    public init(configuration: Configuration, clients: DeploymentClients) {
        self.configuration = configuration
        self.clients = clients
        names = DeploymentNames(configuration)
    }

    public func run() async throws -> [ResourceChange] {
        var changes = try await terminateFleet()
        changes += try await deleteSecurityGroups()
        for name in [names.appTierRole, names.webTierRole] {
            changes.append(try await deleteInstanceProfile(name))
            changes += try await deleteRole(name)
        }
        // The request queue redrives to the dead-letter queue: delete it first.
        for queue in [names.requestQueue, names.responseQueue, names.deadLetterQueue] {
            changes.append(try await deleteQueue(queue))
        }
        for bucket in [names.inputBucket, names.outputBucket] {
            changes.append(try await deleteBucket(bucket))
        }
        return changes
    }

    /// Terminates every live instance with our tag and waits until none is left running (a
    /// security group cannot be deleted while an instance uses it).
    func terminateFleet() async throws -> [ResourceChange] {
        let live = [EC2Filter.tag(DeploymentNames.fleetTagKey, names.fleetTag),
                    EC2Filter.state(.pending, .running, .stopping, .stopped, .shuttingDown)]
        let instances = try await clients.ec2.describeAllInstances(filters: live)
        guard !instances.isEmpty else { return [] }
        try await clients.ec2.terminateInstances(instances.map(\.instanceId))
        let deadline = ContinuousClock.now + .seconds(configuration.deploy.teardownWaitSeconds)
        while try await !clients.ec2.describeAllInstances(filters: live).isEmpty {
            guard ContinuousClock.now < deadline else {
                throw ProvisioningError.unexpected("the fleet's instances did not terminate within deploy.teardownWaitSeconds "
                    + "(\(configuration.deploy.teardownWaitSeconds) s); run teardown again")
            }
            try await Task.sleep(for: pollInterval)
        }
        return instances.map { ResourceChange(.instance, $0.instanceId, .deleted) }
    }

    func deleteSecurityGroups() async throws -> [ResourceChange] {
        var changes: [ResourceChange] = []
        for name in [names.appTierSecurityGroup, names.webTierSecurityGroup] {
            let groups = try await clients.ec2.describeSecurityGroups(filters: [EC2Filter(name: "group-name", values: [name])])
            guard !groups.isEmpty else {
                changes.append(ResourceChange(.securityGroup, name, .absent))
                continue
            }
            for group in groups {
                guard names.isOurs(group.tags) else {
                    changes.append(ResourceChange(.securityGroup, "\(name) (\(group.groupId))", .notOurs))
                    continue
                }
                try await clients.ec2.deleteSecurityGroup(groupId: group.groupId)
                changes.append(ResourceChange(.securityGroup, "\(name) (\(group.groupId))", .deleted))
            }
        }
        return changes
    }

    func deleteInstanceProfile(_ name: String) async throws -> ResourceChange {
        guard let profile = try await clients.iam.instanceProfile(named: name) else { return ResourceChange(.instanceProfile, name, .absent) }
        guard names.isOurs(profile.tags) else { return ResourceChange(.instanceProfile, name, .notOurs) }
        for role in profile.roleNames {
            try await clients.iam.removeRoleFromInstanceProfile(profileName: name, roleName: role)
        }
        try await clients.iam.deleteInstanceProfile(name: name)
        return ResourceChange(.instanceProfile, name, .deleted)
    }

    func deleteRole(_ name: String) async throws -> [ResourceChange] {
        guard let role = try await clients.iam.role(named: name) else { return [ResourceChange(.role, name, .absent)] }
        let tags = role.tags.isEmpty ? try await clients.iam.roleTags(roleName: name) : role.tags
        guard names.isOurs(tags) else { return [ResourceChange(.role, name, .notOurs)] }
        var changes: [ResourceChange] = []
        for policy in try await clients.iam.rolePolicyNames(roleName: name) {
            try await clients.iam.deleteRolePolicy(roleName: name, policyName: policy)
            changes.append(ResourceChange(.rolePolicy, "\(name)/\(policy)", .deleted))
        }
        try await clients.iam.deleteRole(name: name)
        return changes + [ResourceChange(.role, name, .deleted)]
    }

    func deleteQueue(_ name: String) async throws -> ResourceChange {
        guard let url = try await clients.sqs.existingQueueURL(named: name) else { return ResourceChange(.queue, name, .absent) }
        guard names.isOurs(try await clients.sqs.queueTags(queueURL: url)) else { return ResourceChange(.queue, name, .notOurs) }
        try await clients.sqs.deleteQueue(queueURL: url)
        return ResourceChange(.queue, name, .deleted)
    }

    /// Empties the bucket (uploads and results are the deployment's data) and deletes it.
    func deleteBucket(_ bucket: String) async throws -> ResourceChange {
        do {
            try await clients.s3.headBucket(bucket)
        } catch S3Error.noSuchBucket {
            return ResourceChange(.bucket, bucket, .absent)
        }
        guard names.isOurs(try await clients.s3.tags(bucket: bucket)) else { return ResourceChange(.bucket, bucket, .notOurs) }
        for object in try await clients.s3.listAllObjects(bucket: bucket) {
            try await clients.s3.deleteObject(bucket: bucket, key: object.key)
        }
        try await clients.s3.deleteBucket(bucket)
        return ResourceChange(.bucket, bucket, .deleted)
    }
}
