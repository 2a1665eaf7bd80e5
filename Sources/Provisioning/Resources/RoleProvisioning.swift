import AWS

/// A tier's role (trusted by EC2), its one inline policy, and its instance profile.
struct RoleProvisioning: Sendable {
    let iam: IAMClient
    let names: DeploymentNames
    /// The inline policy's name on every tier role.
    static let policyName = "elastic-classifier"

    func ensureRole(_ name: String) async throws -> (change: ResourceChange, arn: String) {
        let trust = TierPolicies.ec2TrustPolicy
        guard let role = try await iam.role(named: name) else {
            // No description: the tag says whose it is, and moto's signature check re-encodes a
            // form body's spaces as '+' and then rejects our (correct) %20.
            let role = try await iam.createRole(name: name, assumeRolePolicyDocument: trust.json, tags: names.tags)
            return (ResourceChange(.role, name, .created), role.arn)
        }
        let tags = role.tags.isEmpty ? try await iam.roleTags(roleName: name) : role.tags
        guard names.isOurs(tags) else { throw ProvisioningError.foreignResource(kind: "IAM role", name: name) }
        if role.assumeRolePolicyDocument.flatMap(PolicyDocument.parse) == trust {
            return (ResourceChange(.role, name, .unchanged), role.arn)
        }
        try await iam.updateAssumeRolePolicy(roleName: name, document: trust.json)
        return (ResourceChange(.role, name, .updated, detail: "trust policy"), role.arn)
    }

    func ensurePolicy(role: String, _ wanted: PolicyDocument) async throws -> ResourceChange {
        let existing = try await iam.rolePolicy(roleName: role, policyName: Self.policyName)
        if let existing, PolicyDocument.parse(existing) == wanted {
            return ResourceChange(.rolePolicy, "\(role)/\(Self.policyName)", .unchanged)
        }
        try await iam.putRolePolicy(roleName: role, policyName: Self.policyName, document: wanted.json)
        return ResourceChange(.rolePolicy, "\(role)/\(Self.policyName)", existing == nil ? .created : .updated)
    }

    /// The instance profile of the same name as the role, holding that role.
    func ensureInstanceProfile(_ name: String) async throws -> ResourceChange {
        guard let profile = try await iam.instanceProfile(named: name) else {
            _ = try await iam.createInstanceProfile(name: name, tags: names.tags)
            try await iam.addRoleToInstanceProfile(profileName: name, roleName: name)
            return ResourceChange(.instanceProfile, name, .created)
        }
        guard names.isOurs(profile.tags) else { throw ProvisioningError.foreignResource(kind: "IAM instance profile", name: name) }
        guard profile.roleNames != [name] else { return ResourceChange(.instanceProfile, name, .unchanged) }
        for other in profile.roleNames where other != name {
            try await iam.removeRoleFromInstanceProfile(profileName: name, roleName: other)
        }
        if !profile.roleNames.contains(name) { try await iam.addRoleToInstanceProfile(profileName: name, roleName: name) }
        return ResourceChange(.instanceProfile, name, .updated, detail: "role \(name)")
    }
}
