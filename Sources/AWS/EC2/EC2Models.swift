import Foundation

/// An instance's lifecycle state (EC2's `instanceState/name`).
public enum EC2InstanceState: Sendable, Equatable, Hashable {
    case pending, running, shuttingDown, terminated, stopping, stopped
    case unknown(String)

    public init(name: String) {
        switch name {
        case "pending": self = .pending
        case "running": self = .running
        case "shutting-down": self = .shuttingDown
        case "terminated": self = .terminated
        case "stopping": self = .stopping
        case "stopped": self = .stopped
        default: self = .unknown(name)
        }
    }

    /// The name EC2 uses, also in `instance-state-name` filters.
    public var name: String {
        switch self {
        case .pending: return "pending"
        case .running: return "running"
        case .shuttingDown: return "shutting-down"
        case .terminated: return "terminated"
        case .stopping: return "stopping"
        case .stopped: return "stopped"
        case let .unknown(name): return name
        }
    }

    /// Pending or running: counts towards a fleet's capacity.
    public var isActive: Bool { self == .pending || self == .running }
}

/// What the fleet logic needs to know about an instance.
public struct EC2Instance: Sendable, Equatable {
    public var instanceId: String
    public var state: EC2InstanceState
    public var launchTime: Date?
    public var tags: [String: String]
    public var imageId: String?
    public var instanceType: String?
    public var privateIPAddress: String?
    public var keyName: String?
    public var subnetId: String?
    public var iamInstanceProfileArn: String?
    public var securityGroupIds: [String]
    /// `required` when the instance only accepts IMDSv2 session-token requests.
    public var metadataHttpTokens: String?
    /// How many network hops an IMDSv2 token response may travel.
    public var metadataHopLimit: Int?

    public init(instanceId: String, state: EC2InstanceState, launchTime: Date? = nil, tags: [String: String] = [:],
                imageId: String? = nil, instanceType: String? = nil, privateIPAddress: String? = nil,
                keyName: String? = nil, subnetId: String? = nil, iamInstanceProfileArn: String? = nil,
                securityGroupIds: [String] = [], metadataHttpTokens: String? = nil, metadataHopLimit: Int? = nil) {
        self.instanceId = instanceId
        self.state = state
        self.launchTime = launchTime
        self.tags = tags
        self.imageId = imageId
        self.instanceType = instanceType
        self.privateIPAddress = privateIPAddress
        self.keyName = keyName
        self.subnetId = subnetId
        self.iamInstanceProfileArn = iamInstanceProfileArn
        self.securityGroupIds = securityGroupIds
        self.metadataHttpTokens = metadataHttpTokens
        self.metadataHopLimit = metadataHopLimit
    }
}

/// The instance profile (IAM role) to launch with, by name or by ARN.
public enum EC2InstanceProfile: Sendable, Equatable {
    case name(String)
    case arn(String)
}

/// Parameters of `RunInstances`.
public struct EC2RunInstancesRequest: Sendable, Equatable {
    public var imageId: String
    public var instanceType: String
    public var minCount: Int
    public var maxCount: Int
    public var keyName: String?
    public var securityGroupIds: [String]
    public var subnetId: String?
    public var instanceProfile: EC2InstanceProfile?
    /// The raw user data (a script); base64-encoded on the wire.
    public var userData: Data?
    /// Tags applied to the instances at launch (no untagged window for tag-based discovery).
    public var tags: [String: String]
    /// Require IMDSv2 session tokens (`MetadataOptions.HttpTokens=required`) with a PUT response
    /// hop limit of 1 (`HttpPutResponseHopLimit=1`): only the instance itself, not a container or
    /// a forwarded request one hop further, can get a token and the role's credentials.
    public var requireIMDSv2: Bool
    /// `InstanceInitiatedShutdownBehavior`: `terminate` makes a shutdown from inside the instance
    /// (a `poweroff`, a kernel panic's halt) end it instead of leaving a stopped instance that
    /// still costs its volume and is never counted or cleaned up by the fleet. Nil: EC2's default (stop).
    public var shutdownBehavior: EC2ShutdownBehavior?
    /// Makes the launch idempotent: a retry with the same token launches nothing new.
    public var clientToken: String?

    public init(imageId: String, instanceType: String, minCount: Int = 1, maxCount: Int = 1, keyName: String? = nil,
                securityGroupIds: [String] = [], subnetId: String? = nil, instanceProfile: EC2InstanceProfile? = nil,
                userData: Data? = nil, tags: [String: String] = [:], requireIMDSv2: Bool = true,
                shutdownBehavior: EC2ShutdownBehavior? = nil, clientToken: String? = nil) {
        self.imageId = imageId
        self.instanceType = instanceType
        self.minCount = minCount
        self.maxCount = maxCount
        self.keyName = keyName
        self.securityGroupIds = securityGroupIds
        self.subnetId = subnetId
        self.instanceProfile = instanceProfile
        self.userData = userData
        self.tags = tags
        self.requireIMDSv2 = requireIMDSv2
        self.shutdownBehavior = shutdownBehavior
        self.clientToken = clientToken
    }
}

/// What a shutdown initiated from inside an instance does to it.
public enum EC2ShutdownBehavior: String, Sendable, Equatable {
    case stop
    case terminate
}

/// A `DescribeInstances` filter: a name (`tag:Name`, `tag-key`, `instance-state-name`, …) and
/// the values any of which matches.
public struct EC2Filter: Sendable, Equatable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    public static func tag(_ key: String, _ values: String...) -> EC2Filter { EC2Filter(name: "tag:\(key)", values: values) }
    public static func state(_ states: EC2InstanceState...) -> EC2Filter {
        EC2Filter(name: "instance-state-name", values: states.map(\.name))
    }
}

/// One page of `DescribeInstances`.
public struct EC2InstancesPage: Sendable, Equatable {
    public var instances: [EC2Instance]
    public var nextToken: String?
}

/// A state change reported by `TerminateInstances`.
public struct EC2InstanceStateChange: Sendable, Equatable {
    public var instanceId: String
    public var previousState: EC2InstanceState
    public var currentState: EC2InstanceState
}
