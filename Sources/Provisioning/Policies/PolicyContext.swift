import Pipeline

/// What a tier's policy names: the deployment's resources as ARNs. The account and partition
/// come from a queue ARN SQS reported, so nothing is guessed.
public struct PolicyContext: Sendable, Equatable {
    public var names: DeploymentNames
    public var partition: String
    public var account: String
    public var appTierRoleArn: String

    public init(names: DeploymentNames, partition: String = "aws", account: String, appTierRoleArn: String) {
        self.names = names
        self.partition = partition
        self.account = account
        self.appTierRoleArn = appTierRoleArn
    }

    /// Reads partition and account from an ARN such as `arn:aws:sqs:us-east-1:123456789012:name`.
    public init?(names: DeploymentNames, anyArn: String, appTierRoleArn: String) {
        let parts = anyArn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 6, parts[0] == "arn", !parts[4].isEmpty else { return nil }
        self.init(names: names, partition: String(parts[1]), account: String(parts[4]), appTierRoleArn: appTierRoleArn)
    }

    public func bucket(_ name: String) -> String { "arn:\(partition):s3:::\(name)" }
    public func objects(_ bucket: String, prefix: String = "") -> String { "arn:\(partition):s3:::\(bucket)/\(prefix)*" }
    public func queue(_ name: String) -> String { "arn:\(partition):sqs:\(names.region):\(account):\(name)" }
    public func ec2(_ resource: String) -> String { "arn:\(partition):ec2:\(names.region):\(account):\(resource)" }
    /// AMIs belong to other accounts (Canonical, Debian), so their ARNs carry no account.
    public var anyImage: String { "arn:\(partition):ec2:\(names.region)::image/*" }

    /// `StringEquals` on the fleet tag of the resource acted on.
    var taggedResource: [String: [String: [String]]] {
        ["StringEquals": ["ec2:ResourceTag/\(DeploymentNames.fleetTagKey)": [names.fleetTag]]]
    }

    /// `taggedResource` and a warm-pool member (`WarmPoolTag`): only members are stopped and started.
    var taggedPoolMember: [String: [String: [String]]] {
        ["StringEquals": ["ec2:ResourceTag/\(DeploymentNames.fleetTagKey)": [names.fleetTag],
                          "ec2:ResourceTag/\(WarmPoolTag.key)": [WarmPoolTag.value]]]
    }
}
