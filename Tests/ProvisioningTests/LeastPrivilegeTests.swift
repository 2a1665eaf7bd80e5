import Foundation
import Pipeline
@testable import Provisioning
import Testing
import TestSupport
import WebTier

/// Each tier's policy against the calls its code makes: every call is allowed, every grant is
/// used by some call, and the call list covers every AWS client method the tier's sources call.
@Suite("Least-privilege policies")
struct LeastPrivilegeTests {
    static let context: PolicyContext = {
        var configuration = Configuration()
        configuration.fleet.fleetTag = "fleet-a"
        return PolicyContext(names: DeploymentNames(configuration), account: "123456789012",
                             appTierRoleArn: "arn:aws:iam::123456789012:role/elastic-classifier-app-tier")
    }()

    static func policy(_ tier: Tier) -> PolicyDocument {
        tier == .appTier ? TierPolicies.appTier(context) : TierPolicies.webTier(context)
    }

    static func allows(_ policy: PolicyDocument, _ call: AWSCall) -> Bool {
        policy.statements.contains { $0.effect == "Allow" && $0.names(action: call.action) && $0.covers(resource: call.resource) }
    }

    @Test("the policies are valid IAM JSON: version, unique Sids, service-prefixed actions, no wildcard action, within the inline size limit",
          arguments: Tier.allCases)
    func validDocuments(tier: Tier) throws {
        let policy = Self.policy(tier)
        let json = policy.json
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["Version"] as? String == "2012-10-17")
        #expect(PolicyDocument.parse(json) == policy)
        #expect(Set(policy.statements.map(\.sid)).count == policy.statements.count)
        #expect(json.count <= 10_240, "IAM limits a role's inline policies to 10,240 characters")
        for statement in policy.statements {
            #expect(statement.sid.allSatisfy { $0.isLetter || $0.isNumber }, "Sid must be alphanumeric: \(statement.sid)")
            #expect(!statement.actions.isEmpty)
            for action in statement.actions {
                #expect(action.range(of: #"^(s3|sqs|ec2|iam):[A-Za-z]+$"#, options: .regularExpression) != nil, "\(action)")
            }
            let resources = try #require(statement.resources, "every permission statement names its resources")
            if resources == ["*"] {
                #expect(statement.actions == ["ec2:DescribeInstances"], "only DescribeInstances lacks resource-level permissions")
            }
        }
    }

    @Test("every call a tier makes is allowed, and every grant is needed by one of its calls", arguments: Tier.allCases)
    func exactlyWhatIsCalled(tier: Tier) {
        let policy = Self.policy(tier)
        let calls = TierCalls.calls(tier, Self.context)
        for call in calls {
            #expect(Self.allows(policy, call), "\(tier.rawValue) needs \(call) but its policy does not allow it")
        }
        for statement in policy.statements {
            for action in statement.actions {
                let used = calls.contains { $0.action == action && statement.covers(resource: $0.resource) }
                #expect(used, "\(tier.rawValue)'s statement \(statement.sid) grants \(action) that no call of the tier uses")
            }
            for resource in statement.resources ?? [] {
                let used = calls.contains { statement.names(action: $0.action) && PolicyPattern.matches(resource, $0.resource) }
                #expect(used, "\(tier.rawValue)'s statement \(statement.sid) names \(resource) that no call of the tier touches")
            }
        }
    }

    @Test("the app tier cannot read results, write uploads, create queues, submit jobs, launch instances or pass roles")
    func appTierDenials() {
        let policy = Self.policy(.appTier)
        let names = Self.context.names
        let denied = [
            AWSCall("s3:GetObject", "arn:aws:s3:::\(names.outputBucket)/results/a/b.json"),
            AWSCall("s3:PutObject", "arn:aws:s3:::\(names.inputBucket)/uploads/a/b/c.jpg"),
            AWSCall("s3:GetObject", "arn:aws:s3:::someone-elses-bucket/uploads/a"),
            AWSCall("s3:GetObject", "arn:aws:s3:::\(names.inputBucket)/artifacts/bundle.tar.gz"),
            AWSCall("sqs:CreateQueue", Self.context.queue(names.requestQueue)),
            AWSCall("sqs:SendMessage", Self.context.queue(names.requestQueue)),
            AWSCall("sqs:ReceiveMessage", Self.context.queue(names.responseQueue)),
            AWSCall("ec2:RunInstances", Self.context.ec2("instance/*")),
            AWSCall("iam:PassRole", Self.context.appTierRoleArn),
        ]
        for call in denied { #expect(!Self.allows(policy, call), "the app tier may do \(call)") }
    }

    @Test("fleet actions are conditioned on the fleet tag, and PassRole names only the app-tier role")
    func conditions() throws {
        let tagCondition = "ec2:ResourceTag/\(DeploymentNames.fleetTagKey)"
        for tier in Tier.allCases {
            for statement in Self.policy(tier).statements where statement.actions.contains("ec2:TerminateInstances") {
                #expect(statement.condition?["StringEquals"]?[tagCondition] == ["fleet-a"], "\(statement.sid)")
            }
        }
        let web = Self.policy(.webTier).statements
        let pass = try #require(web.first { $0.actions.contains("iam:PassRole") })
        #expect(pass.resources == [Self.context.appTierRoleArn])
        let launch = web.filter { $0.actions.contains("ec2:RunInstances") && $0.covers(resource: Self.context.ec2("instance/i-1")) }
        #expect(launch.count == 1)
        #expect(launch.first?.condition?["StringEquals"]?["aws:RequestTag/\(DeploymentNames.fleetTagKey)"] == ["fleet-a"])
        // Stopping and starting: only warm-pool members of our fleet, in both tiers.
        let poolCondition = "ec2:ResourceTag/\(WarmPoolTag.key)"
        for tier in Tier.allCases {
            let power = Self.policy(tier).statements.filter {
                $0.actions.contains("ec2:StopInstances") || $0.actions.contains("ec2:StartInstances")
            }
            #expect(!power.isEmpty, "\(tier)")
            for statement in power {
                #expect(statement.condition?["StringEquals"]?[poolCondition] == [WarmPoolTag.value], "\(statement.sid)")
                #expect(statement.condition?["StringEquals"]?[tagCondition] == ["fleet-a"], "\(statement.sid)")
            }
        }
        #expect(WarmPoolTag.key == WarmPoolPlan.poolTagKey)
        // The same key the web tier's fleet tags its instances with.
        #expect(DeploymentNames.fleetTagKey == EC2Fleet.fleetTagKey)
    }

    @Test("the calls list is exactly the AWS client methods each tier's sources call", arguments: Tier.allCases)
    func callsCoverTheCode(tier: Tier) throws {
        let listed = Set(TierCalls.calls(tier, Self.context).map(\.action))
        let folders = tier == .appTier ? ["Sources/AppTier", "Sources/Commands/apptier", "Sources/Pipeline", "Sources/AWSBackends"]
                                       : ["Sources/WebTier", "Sources/Commands/webtier", "Sources/Pipeline", "Sources/AWSBackends"]
        var found: [String: String] = [:]
        for file in try SourceScan.swiftFiles(under: folders) where !SourceScan.notScanned.contains(file.relativePath) {
            found.merge(try SourceScan.actionsCalled(in: file)) { first, _ in first }
        }
        #expect(!found.isEmpty)
        for (action, site) in found.sorted(by: { $0.key < $1.key }) {
            #expect(listed.contains(action), "\(tier.rawValue) calls \(site) (\(action)) which TierCalls does not list")
        }
        for action in listed.sorted() {
            #expect(found[action] != nil, "TierCalls lists \(action) for \(tier.rawValue), but no source of the tier calls it")
        }
    }

    @Test("every public method of the S3, SQS and EC2 clients has an IAM action in the table")
    func tableCoversTheClients() throws {
        let methods = try SourceScan.publicClientMethods()
        #expect(methods.count > 20)
        for method in methods { #expect(ClientActions.table[method] != nil, "no IAM action known for client method \(method)") }
    }

    @Test("the generated configuration turns start-up creation off (local-mode code paths never run on EC2)")
    func generatedConfigurationCreatesNothing() {
        let result = Provisioner.Result(changes: [], appTierSecurityGroupId: "sg-1", webTierSecurityGroupId: "sg-2",
                                        appTierRoleArn: "arn:aws:iam::1:role/a", webTierRoleArn: "arn:aws:iam::1:role/w")
        let generated = GeneratedConfiguration.make(from: Configuration(), result)
        #expect(!generated.storage.createIfMissing && !generated.queues.createIfMissing)
        #expect(generated.fleet.ec2.securityGroupIds == ["sg-1"])
        #expect(generated.fleet.ec2.instanceProfile == Configuration().deploy.appTierRole)
    }
}
