import Foundation

/// A security group as `DescribeSecurityGroups` reports it (what provisioning checks and tears down).
public struct EC2SecurityGroup: Sendable, Equatable {
    public var groupId: String
    public var groupName: String
    public var description: String
    public var vpcId: String?
    public var tags: [String: String]
    /// Inbound rules, one per (protocol, port range, CIDR).
    public var ingress: [EC2IngressRule]

    public init(groupId: String, groupName: String, description: String = "", vpcId: String? = nil,
                tags: [String: String] = [:], ingress: [EC2IngressRule] = []) {
        self.groupId = groupId
        self.groupName = groupName
        self.description = description
        self.vpcId = vpcId
        self.tags = tags
        self.ingress = ingress
    }
}

/// One inbound rule: TCP (or another protocol) on a port range from an IPv4 CIDR.
public struct EC2IngressRule: Sendable, Equatable, Hashable {
    public var ipProtocol: String
    public var fromPort: Int
    public var toPort: Int
    public var cidr: String

    public init(ipProtocol: String = "tcp", fromPort: Int, toPort: Int, cidr: String) {
        self.ipProtocol = ipProtocol
        self.fromPort = fromPort
        self.toPort = toPort
        self.cidr = cidr
    }
}
