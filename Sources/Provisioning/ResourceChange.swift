/// What provisioning or teardown did to one resource: the report a run prints, and what tests
/// check ("a second run changes nothing").
public struct ResourceChange: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case bucket, queue, role, rolePolicy = "role policy", instanceProfile = "instance profile"
        case securityGroup = "security group", instance
    }

    public enum Action: String, Sendable {
        case created, updated, unchanged, deleted
        /// Teardown: nothing of that name exists.
        case absent
        /// Teardown: it exists but does not carry our fleet tag, so it is left alone.
        case notOurs = "left alone (not tagged as ours)"
    }

    public var kind: Kind
    public var name: String
    public var action: Action
    /// What was changed, for `updated`.
    public var detail: String?

    public init(_ kind: Kind, _ name: String, _ action: Action, detail: String? = nil) {
        self.kind = kind
        self.name = name
        self.action = action
        self.detail = detail
    }

    public var description: String {
        "\(kind.rawValue) \(name): \(action.rawValue)\(detail.map { " (\($0))" } ?? "")"
    }
}

/// Why provisioning stopped.
public enum ProvisioningError: Error, Equatable, CustomStringConvertible {
    /// A resource of our name exists but is not tagged as ours: adopting it could hand another
    /// system's bucket or role to this deployment (and teardown would then delete it).
    case foreignResource(kind: String, name: String)
    case invalidSetting(keyPath: String, reason: String)
    case unexpected(String)

    public var description: String {
        switch self {
        case let .foreignResource(kind, name):
            return "\(kind) '\(name)' exists but has no tag \(DeploymentNames.fleetTagKey)=<fleet.fleetTag>: it is not ours. "
                + "Choose another name in the configuration, or tag it if it really belongs to this deployment."
        case let .invalidSetting(keyPath, reason): return "\(keyPath): \(reason)"
        case let .unexpected(reason): return reason
        }
    }
}
