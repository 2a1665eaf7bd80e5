import Foundation

/// Security groups for provisioning: create (tagged), find, open a port, delete.
extension EC2RequestBuilder {
    /// Creates a group in `vpcId` (the default VPC when nil), tagged at creation.
    public static func createSecurityGroup(name: String, description: String, vpcId: String? = nil,
                                           tags: [String: String] = [:]) -> AWSRequest {
        var form = QueryProtocolForm(action: "CreateSecurityGroup", version: apiVersion)
        form.add("GroupName", name)
        form.add("GroupDescription", description)
        form.add("VpcId", vpcId)
        if !tags.isEmpty {
            form.add("TagSpecification.1.ResourceType", "security-group")
            addTags(&form, prefix: "TagSpecification.1.Tag", tags)
        }
        return form.request()
    }

    public static func describeSecurityGroups(groupIds: [String] = [], filters: [EC2Filter] = []) -> AWSRequest {
        var form = QueryProtocolForm(action: "DescribeSecurityGroups", version: apiVersion)
        form.addList("GroupId", groupIds)
        for (index, filter) in filters.enumerated() {
            form.add("Filter.\(index + 1).Name", filter.name)
            form.addList("Filter.\(index + 1).Value", filter.values)
        }
        return form.request()
    }

    public static func authorizeSecurityGroupIngress(groupId: String, rule: EC2IngressRule) -> AWSRequest {
        var form = QueryProtocolForm(action: "AuthorizeSecurityGroupIngress", version: apiVersion)
        form.add("GroupId", groupId)
        form.add("IpPermissions.1.IpProtocol", rule.ipProtocol)
        form.add("IpPermissions.1.FromPort", String(rule.fromPort))
        form.add("IpPermissions.1.ToPort", String(rule.toPort))
        form.add("IpPermissions.1.IpRanges.1.CidrIp", rule.cidr)
        return form.request()
    }

    public static func deleteSecurityGroup(groupId: String) -> AWSRequest {
        var form = QueryProtocolForm(action: "DeleteSecurityGroup", version: apiVersion)
        form.add("GroupId", groupId)
        return form.request()
    }
}

extension EC2ResponseParser {
    /// The new group's id from `CreateSecurityGroup`.
    public static func createSecurityGroup(_ body: Data) throws -> String {
        let root = try document(body, expecting: "CreateSecurityGroupResponse")
        guard let id = root.text(of: "groupId"), !id.isEmpty else { throw missing("groupId", in: "CreateSecurityGroup") }
        return id
    }

    public static func describeSecurityGroups(_ body: Data) throws -> [EC2SecurityGroup] {
        let root = try document(body, expecting: "DescribeSecurityGroupsResponse")
        return try root.items(in: "securityGroupInfo").map { item in
            guard let id = item.text(of: "groupId"), let name = item.text(of: "groupName") else {
                throw missing("groupId/groupName", in: "DescribeSecurityGroups")
            }
            var tags: [String: String] = [:]
            for tag in item.items(in: "tagSet") {
                if let key = tag.text(of: "key") { tags[key] = tag.text(of: "value") ?? "" }
            }
            var ingress: [EC2IngressRule] = []
            for permission in item.items(in: "ipPermissions") {
                let proto = permission.text(of: "ipProtocol") ?? ""
                let from = Int(permission.text(of: "fromPort") ?? "") ?? -1
                let to = Int(permission.text(of: "toPort") ?? "") ?? -1
                for range in permission.items(in: "ipRanges") {
                    if let cidr = range.text(of: "cidrIp") {
                        ingress.append(EC2IngressRule(ipProtocol: proto, fromPort: from, toPort: to, cidr: cidr))
                    }
                }
            }
            return EC2SecurityGroup(groupId: id, groupName: name, description: item.text(of: "groupDescription") ?? "",
                                    vpcId: item.text(of: "vpcId").flatMap { $0.isEmpty ? nil : $0 },
                                    tags: tags, ingress: ingress)
        }
    }

    /// Checks an `AuthorizeSecurityGroupIngress` or `DeleteSecurityGroup` response (only an
    /// explicit `<return>false</return>` is a failure, as for `CreateTags`).
    public static func acknowledgement(_ body: Data, operation: String) throws {
        let root = try document(body, expecting: "\(operation)Response")
        if let value = root.text(of: "return"), value.trimmingCharacters(in: .whitespacesAndNewlines) != "true" {
            throw EC2Error.malformedResponse(operation: operation, reason: "<return> is not true")
        }
    }
}

extension EC2Client {
    /// Creates a tagged security group and returns its id.
    public func createSecurityGroup(name: String, description: String, vpcId: String? = nil,
                                    tags: [String: String] = [:]) async throws -> String {
        let request = EC2RequestBuilder.createSecurityGroup(name: name, description: description, vpcId: vpcId, tags: tags)
        return try EC2ResponseParser.createSecurityGroup(try await perform(request))
    }

    public func describeSecurityGroups(groupIds: [String] = [], filters: [EC2Filter] = []) async throws -> [EC2SecurityGroup] {
        let request = EC2RequestBuilder.describeSecurityGroups(groupIds: groupIds, filters: filters)
        return try EC2ResponseParser.describeSecurityGroups(try await perform(request))
    }

    public func authorizeSecurityGroupIngress(groupId: String, rule: EC2IngressRule) async throws {
        let request = EC2RequestBuilder.authorizeSecurityGroupIngress(groupId: groupId, rule: rule)
        try EC2ResponseParser.acknowledgement(try await perform(request), operation: "AuthorizeSecurityGroupIngress")
    }

    public func deleteSecurityGroup(groupId: String) async throws {
        try EC2ResponseParser.acknowledgement(try await perform(EC2RequestBuilder.deleteSecurityGroup(groupId: groupId)),
                                              operation: "DeleteSecurityGroup")
    }
}
