import AWS

/// A tier's security group: the web tier's with one inbound rule, the app tier's with none
/// (both keep EC2's default allow-all outbound rule: they call AWS APIs).
struct SecurityGroupProvisioning: Sendable {
    let ec2: EC2Client
    let names: DeploymentNames
    let vpcId: String?

    func ensure(_ name: String, description: String, ingress: EC2IngressRule?) async throws
        -> (change: ResourceChange, groupId: String) {
        guard let group = try await find(name) else {
            let id = try await ec2.createSecurityGroup(name: name, description: description, vpcId: vpcId, tags: names.tags)
            if let ingress { try await ec2.authorizeSecurityGroupIngress(groupId: id, rule: ingress) }
            return (ResourceChange(.securityGroup, name, .created), id)
        }
        guard names.isOurs(group.tags) else { throw ProvisioningError.foreignResource(kind: "security group", name: name) }
        guard let ingress, !group.ingress.contains(ingress) else {
            return (ResourceChange(.securityGroup, name, .unchanged), group.groupId)
        }
        try await ec2.authorizeSecurityGroupIngress(groupId: group.groupId, rule: ingress)
        return (ResourceChange(.securityGroup, name, .updated, detail: "inbound tcp/\(ingress.fromPort) from \(ingress.cidr)"),
                group.groupId)
    }

    func find(_ name: String) async throws -> EC2SecurityGroup? {
        var filters = [EC2Filter(name: "group-name", values: [name])]
        if let vpcId { filters.append(EC2Filter(name: "vpc-id", values: [vpcId])) }
        return try await ec2.describeSecurityGroups(filters: filters).first
    }
}
