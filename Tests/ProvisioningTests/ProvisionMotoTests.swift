import AWS
import AWSBackends
import Foundation
import Pipeline
import Provisioning
import Testing
import TestSupport

/// Provisioning and teardown against a private moto with signature checking on (an IAM user
/// with an access key, as an administrator would run it): what is created, that a second run
/// changes nothing, that drift is repaired, and that teardown removes exactly what was made.
@Suite("Provisioning against moto", .serialized)
struct ProvisionMotoTests {
    static let imageId = "ami-03cf127a"

    /// A deployment whose names are unique to this test (moto is private, but names say which run).
    static func configuration() -> Configuration {
        var configuration = Configuration()
        let run = MotoNames.unique("dep")
        configuration.fleet.fleetTag = run
        configuration.storage.inputBucket = "\(run)-in"
        configuration.storage.outputBucket = "\(run)-out"
        configuration.queues.requestQueue = "\(run)-requests"
        configuration.queues.responseQueue = "\(run)-responses"
        configuration.queues.deadLetterQueue = "\(run)-dlq"
        configuration.queues.visibilityTimeoutSeconds = 90
        configuration.queues.maxReceiveCount = 4
        configuration.deploy.appTierRole = "\(run)-app"
        configuration.deploy.webTierRole = "\(run)-web"
        configuration.deploy.appTierSecurityGroup = "\(run)-app"
        configuration.deploy.webTierSecurityGroup = "\(run)-web"
        configuration.deploy.webIngressCIDR = "203.0.113.0/24"
        configuration.deploy.expireUploadsAfterDays = 7
        configuration.web.port = 5000
        return configuration
    }

    static func start() async throws -> (MotoServer, DeploymentClients) {
        let server = try MotoServer.startPrivate()
        let credentials = try await MotoIAM(server: server).createUserWithAccessKey(MotoNames.unique("admin"))
        try server.setSignatureChecking(true)
        return (server, DeploymentClients(AWSClients(configuration: server.configuration(credentials: credentials))))
    }

    @Test("provision creates every resource with its attributes; a second run changes nothing; drift is repaired")
    func provisionAndRepeat() async throws {
        let (server, clients) = try await Self.start()
        defer { server.stop() }
        let configuration = Self.configuration()
        let names = DeploymentNames(configuration)
        let provisioner = Provisioner(configuration: configuration, clients: clients)

        let first = try await provisioner.run()
        #expect(first.changes.count == 13)
        #expect(first.changes.allSatisfy { $0.action == .created }, "\(first.changes)")

        // Buckets: private, encrypted, tagged; uploads expire on the input bucket only.
        let input = try await clients.s3.settings(bucket: names.inputBucket)
        let output = try await clients.s3.settings(bucket: names.outputBucket)
        for settings in [input, output] {
            #expect(settings.blocksPublicAccess)
            #expect(settings.defaultEncryption == "AES256")
            #expect(names.isOurs(settings.tags))
        }
        #expect(input.lifecycle == [S3ExpiryRule(id: "expire-uploads", prefix: "uploads/", days: 7)])
        #expect(output.lifecycle.isEmpty)

        // Queues: the request queue redrives to the dead-letter queue; all three tagged.
        let requestURL = try await clients.sqs.queueURL(named: names.requestQueue)
        let requests = try await clients.sqs.queueAttributes(queueURL: requestURL)
        #expect(requests.visibilityTimeout == 90)
        let deadLetterURL = try await clients.sqs.queueURL(named: names.deadLetterQueue)
        let deadLetterArn = try #require(try await clients.sqs.queueAttributes(queueURL: deadLetterURL).queueArn)
        let redrive = try #require(requests.raw["RedrivePolicy"])
        #expect(redrive.contains(deadLetterArn) && redrive.contains("4"))
        for queue in [names.requestQueue, names.responseQueue, names.deadLetterQueue] {
            #expect(names.isOurs(try await clients.sqs.queueTags(queueURL: try await clients.sqs.queueURL(named: queue))))
        }

        // Roles: trusted by EC2, with exactly the tier's policy; profiles hold their role.
        let context = try #require(PolicyContext(names: names, anyArn: deadLetterArn, appTierRoleArn: first.appTierRoleArn))
        for (role, policy) in [(names.appTierRole, TierPolicies.appTier(context)), (names.webTierRole, TierPolicies.webTier(context))] {
            let made = try #require(try await clients.iam.role(named: role))
            #expect(made.assumeRolePolicyDocument.flatMap(PolicyDocument.parse) == TierPolicies.ec2TrustPolicy)
            #expect(names.isOurs(try await clients.iam.roleTags(roleName: role)))
            #expect(try await clients.iam.rolePolicyNames(roleName: role) == ["elastic-classifier"])
            let stored = try #require(try await clients.iam.rolePolicy(roleName: role, policyName: "elastic-classifier"))
            #expect(PolicyDocument.parse(stored) == policy)
            let profile = try #require(try await clients.iam.instanceProfile(named: role))
            #expect(profile.roleNames == [role])
        }

        // Security groups: web open on its port to the configured CIDR only; app tier closed.
        let web = try #require(try await clients.ec2.describeSecurityGroups(groupIds: [first.webTierSecurityGroupId]).first)
        let app = try #require(try await clients.ec2.describeSecurityGroups(groupIds: [first.appTierSecurityGroupId]).first)
        #expect(web.ingress == [EC2IngressRule(fromPort: 5000, toPort: 5000, cidr: "203.0.113.0/24")])
        #expect(app.ingress.isEmpty)
        #expect(names.isOurs(web.tags) && names.isOurs(app.tags))

        // A second run: nothing to do, nothing changed.
        let before = try await Snapshot.take(clients, names)
        let second = try await provisioner.run()
        #expect(second.changes.allSatisfy { $0.action == .unchanged }, "\(second.changes.filter { $0.action != .unchanged })")
        #expect(second.appTierSecurityGroupId == first.appTierSecurityGroupId)
        #expect(try await Snapshot.take(clients, names) == before)

        // Drift (someone changed the visibility timeout and the policy) is put back, and only that.
        try await clients.sqs.setQueueAttributes(queueURL: requestURL, attributes: SQSQueueAttributes(visibilityTimeout: 5))
        try await clients.iam.putRolePolicy(roleName: names.appTierRole, policyName: "elastic-classifier",
                                            document: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
        let third = try await provisioner.run()
        let changed = third.changes.filter { $0.action != .unchanged }
        #expect(changed == [ResourceChange(.queue, names.requestQueue, .updated, detail: "VisibilityTimeout"),
                            ResourceChange(.rolePolicy, "\(names.appTierRole)/elastic-classifier", .updated)])
        #expect(try await clients.sqs.queueAttributes(queueURL: requestURL).visibilityTimeout == 90)
    }

    @Test("teardown removes the fleet and everything provisioned, leaves other resources alone, and can run twice")
    func teardown() async throws {
        let (server, clients) = try await Self.start()
        defer { server.stop() }
        let configuration = Self.configuration()
        let names = DeploymentNames(configuration)
        _ = try await Provisioner(configuration: configuration, clients: clients).run()

        // Others' resources: another fleet's instance, untagged look-alikes of our kinds.
        let otherFleet = try await clients.ec2.runInstances(EC2RunInstancesRequest(
            imageId: Self.imageId, instanceType: "t3.micro", tags: [DeploymentNames.fleetTagKey: "someone-else"]))
        let ours = try await clients.ec2.runInstances(EC2RunInstancesRequest(
            imageId: Self.imageId, instanceType: "t3.micro", minCount: 2, maxCount: 2, tags: names.tags))
        let otherBucket = MotoNames.unique("other")
        try await clients.s3.createBucket(otherBucket)
        try await clients.s3.putObject(bucket: otherBucket, key: "keep.txt", body: Data("keep".utf8))
        let otherQueue = try await clients.sqs.createQueue(named: "\(names.requestQueue)-other")
        _ = try await clients.iam.createRole(name: "\(names.appTierRole)-other",
                                             assumeRolePolicyDocument: TierPolicies.ec2TrustPolicy.json)
        let otherGroup = try await clients.ec2.createSecurityGroup(name: "\(names.webTierSecurityGroup)-other", description: "not-ours")
        // Our buckets hold data: teardown empties them.
        try await clients.s3.putObject(bucket: names.inputBucket, key: "uploads/a/b/photo.jpg", body: Data("jpeg".utf8))
        try await clients.s3.putObject(bucket: names.outputBucket, key: "test_0", body: Data("(test_0, cat)".utf8))

        var teardown = Teardown(configuration: configuration, clients: clients)
        teardown.pollInterval = .milliseconds(100)
        let changes = try await teardown.run()
        #expect(changes.allSatisfy { $0.action == .deleted }, "\(changes)")
        #expect(Set(changes.filter { $0.kind == .instance }.map(\.name)) == Set(ours.map(\.instanceId)))
        // 2 instances, 2 groups, per tier a profile, a policy and a role, 3 queues, 2 buckets.
        let expected: Int = 15
        #expect(changes.count == expected)

        // Nothing of ours is left.
        #expect(try await clients.ec2.describeAllInstances(filters: [.tag(DeploymentNames.fleetTagKey, names.fleetTag),
                                                                     .state(.pending, .running)]).isEmpty)
        for bucket in [names.inputBucket, names.outputBucket] {
            await #expect(throws: S3Error.noSuchBucket(bucket: bucket)) { try await clients.s3.headBucket(bucket) }
        }
        for queue in [names.requestQueue, names.responseQueue, names.deadLetterQueue] {
            #expect(try await clients.sqs.existingQueueURL(named: queue) == nil)
        }
        for role in [names.appTierRole, names.webTierRole] {
            #expect(try await clients.iam.role(named: role) == nil)
            #expect(try await clients.iam.instanceProfile(named: role) == nil)
        }
        for group in [names.appTierSecurityGroup, names.webTierSecurityGroup] {
            #expect(try await clients.ec2.describeSecurityGroups(filters: [EC2Filter(name: "group-name", values: [group])]).isEmpty)
        }

        // Everything else is untouched.
        let other = try await clients.ec2.describeInstances(instanceIds: otherFleet.map(\.instanceId)).instances
        #expect(other.map(\.state) == [.running])
        #expect(try await clients.s3.getObject(bucket: otherBucket, key: "keep.txt").body == Data("keep".utf8))
        #expect(try await clients.sqs.queueURL(named: "\(names.requestQueue)-other") == otherQueue)
        #expect(try await clients.iam.role(named: "\(names.appTierRole)-other") != nil)
        #expect(try await clients.ec2.describeSecurityGroups(groupIds: [otherGroup]).count == 1)

        // Again: everything absent, nothing deleted.
        let again = try await teardown.run()
        #expect(again.allSatisfy { $0.action == .absent }, "\(again)")
    }

    @Test("a resource with our name that is not tagged as ours stops provisioning and is left to teardown alone")
    func foreignResources() async throws {
        let (server, clients) = try await Self.start()
        defer { server.stop() }
        let configuration = Self.configuration()
        let names = DeploymentNames(configuration)
        try await clients.s3.createBucket(names.inputBucket)
        let queue = try await clients.sqs.createQueue(named: names.responseQueue)

        await #expect(throws: ProvisioningError.foreignResource(kind: "S3 bucket", name: names.inputBucket)) {
            _ = try await Provisioner(configuration: configuration, clients: clients).run()
        }
        // Teardown deletes neither.
        let changes = try await Teardown(configuration: configuration, clients: clients).run()
        #expect(changes.contains(ResourceChange(.bucket, names.inputBucket, .notOurs)))
        #expect(changes.contains(ResourceChange(.queue, names.responseQueue, .notOurs)))
        try await clients.s3.headBucket(names.inputBucket)
        #expect(try await clients.sqs.queueURL(named: names.responseQueue) == queue)
    }
}

/// Everything provisioning controls, read back, to compare two runs.
struct Snapshot: Equatable {
    var buckets: [S3BucketSettings] = []
    var queues: [[String: String]] = []
    var roles: [IAMRole] = []
    var policies: [String?] = []
    var profiles: [IAMInstanceProfile?] = []
    var groups: [EC2SecurityGroup] = []

    static func take(_ clients: DeploymentClients, _ names: DeploymentNames) async throws -> Snapshot {
        var snapshot = Snapshot()
        for bucket in [names.inputBucket, names.outputBucket] { snapshot.buckets.append(try await clients.s3.settings(bucket: bucket)) }
        for queue in [names.requestQueue, names.responseQueue, names.deadLetterQueue] {
            let url = try await clients.sqs.queueURL(named: queue)
            var attributes = try await clients.sqs.queueAttributes(queueURL: url).raw.filter { !$0.key.hasPrefix("Approximate") }
            attributes.merge(try await clients.sqs.queueTags(queueURL: url)) { $1 }
            snapshot.queues.append(attributes)
        }
        for role in [names.appTierRole, names.webTierRole] {
            if let made = try await clients.iam.role(named: role) { snapshot.roles.append(made) }
            snapshot.policies.append(try await clients.iam.rolePolicy(roleName: role, policyName: "elastic-classifier"))
            snapshot.profiles.append(try await clients.iam.instanceProfile(named: role))
        }
        for group in [names.appTierSecurityGroup, names.webTierSecurityGroup] {
            snapshot.groups += try await clients.ec2.describeSecurityGroups(filters: [EC2Filter(name: "group-name", values: [group])])
        }
        return snapshot
    }
}

/// The tiers' S3 grants evaluated by moto itself: a user holding a tier's policy, signing its own
/// requests with signature checking on. (moto checks S3 actions against bucket and object ARNs;
/// for SQS and EC2 it checks actions against "*" only, so those grants are tested by
/// LeastPrivilegeTests instead.)
@Suite("Tier policies enforced by moto (S3)", .serialized)
struct PolicyEnforcementTests {
    @Test("the app tier reads uploads and writes results; it cannot write uploads or read results")
    func appTierS3() async throws {
        let server = try MotoServer.startPrivate()
        defer { server.stop() }
        let motoIAM = MotoIAM(server: server)
        let admin = try await motoIAM.createUserWithAccessKey(MotoNames.unique("admin"))
        var configuration = Configuration()
        configuration.storage.inputBucket = MotoNames.unique("in")
        configuration.storage.outputBucket = MotoNames.unique("out")
        let names = DeploymentNames(configuration)
        let context = PolicyContext(names: names, account: "123456789012",
                                    appTierRoleArn: "arn:aws:iam::123456789012:role/app")
        let worker = try await motoIAM.createUserWithAccessKey(MotoNames.unique("worker"),
                                                               policy: TierPolicies.appTier(context).json)
        try server.setSignatureChecking(true)
        let adminS3 = S3Client(configuration: server.configuration(credentials: admin))
        for bucket in [names.inputBucket, names.outputBucket] { try await adminS3.createBucket(bucket) }
        try await adminS3.putObject(bucket: names.inputBucket, key: "uploads/j/i/cat.jpg", body: Data("jpeg".utf8))
        try await adminS3.putObject(bucket: names.outputBucket, key: "results/j/i.json", body: Data("{}".utf8))

        // (No HeadBucket here: moto checks it as "s3:HeadBucket", an action IAM does not have;
        // real S3 checks s3:ListBucket, which the policy grants.)
        let s3 = S3Client(configuration: server.configuration(credentials: worker))
        #expect(try await s3.getObject(bucket: names.inputBucket, key: "uploads/j/i/cat.jpg").body == Data("jpeg".utf8))
        try await s3.putObject(bucket: names.outputBucket, key: "results/j/i2.json", body: Data("{}".utf8))
        try await s3.putObject(bucket: names.outputBucket, key: "test_0", body: Data("(test_0, cat)".utf8))
        await #expect(throws: S3Error.self) {
            try await s3.putObject(bucket: names.inputBucket, key: "uploads/j/i/forged.jpg", body: Data("x".utf8))
        }
        await #expect(throws: S3Error.self) { _ = try await s3.getObject(bucket: names.outputBucket, key: "results/j/i.json") }
        await #expect(throws: S3Error.self) { try await s3.createBucket(MotoNames.unique("new")) }
    }
}
