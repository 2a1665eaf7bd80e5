import Foundation

/// Pure functions from IAM's XML responses (`<XResponse><XResult>…`) to values.
public enum IAMResponseParser {
    public static func role(_ body: Data, operation: String) throws -> IAMRole {
        let result = try self.result(body, operation: operation)
        guard let role = result.child("Role") else { throw missing("Role", in: operation) }
        guard let name = role.text(of: "RoleName"), let arn = role.text(of: "Arn") else {
            throw missing("RoleName/Arn", in: operation)
        }
        return IAMRole(roleName: name, roleId: role.text(of: "RoleId") ?? "", arn: arn, path: role.text(of: "Path") ?? "/",
                       assumeRolePolicyDocument: role.text(of: "AssumeRolePolicyDocument").map(policyText),
                       tags: tags(in: role))
    }

    public static func instanceProfile(_ body: Data, operation: String) throws -> IAMInstanceProfile {
        let result = try self.result(body, operation: operation)
        guard let profile = result.child("InstanceProfile") else { throw missing("InstanceProfile", in: operation) }
        guard let name = profile.text(of: "InstanceProfileName"), let arn = profile.text(of: "Arn") else {
            throw missing("InstanceProfileName/Arn", in: operation)
        }
        return IAMInstanceProfile(
            name: name, instanceProfileId: profile.text(of: "InstanceProfileId") ?? "", arn: arn,
            path: profile.text(of: "Path") ?? "/",
            roleNames: profile.items(in: "Roles", named: "member").compactMap { $0.text(of: "RoleName") },
            tags: tags(in: profile))
    }

    /// The policy document of `GetRolePolicy`, decoded to JSON text.
    public static func rolePolicyDocument(_ body: Data) throws -> String {
        let result = try self.result(body, operation: "GetRolePolicy")
        guard let document = result.text(of: "PolicyDocument") else { throw missing("PolicyDocument", in: "GetRolePolicy") }
        return policyText(document)
    }

    public static func policyNames(_ body: Data) throws -> [String] {
        try result(body, operation: "ListRolePolicies").items(in: "PolicyNames", named: "member").map(\.text)
    }

    /// The tags of `ListRoleTags`.
    public static func tagList(_ body: Data, operation: String) throws -> [String: String] {
        tags(in: try result(body, operation: operation))
    }

    /// Checks that an operation without a result (`DeleteRole`, `PutRolePolicy`, …) answered
    /// with its own response element.
    public static func empty(_ body: Data, operation: String) throws {
        _ = try document(body, operation: operation)
    }

    // MARK: Plumbing

    static func document(_ body: Data, operation: String) throws -> XMLNode {
        let root: XMLNode
        do {
            root = try XMLTreeReader.parse(body)
        } catch {
            throw IAMError.malformedResponse(operation: operation, reason: String(describing: error))
        }
        guard root.name == "\(operation)Response" else {
            throw IAMError.malformedResponse(operation: operation, reason: "root element <\(root.name)>")
        }
        return root
    }

    static func result(_ body: Data, operation: String) throws -> XMLNode {
        guard let result = try document(body, operation: operation).child("\(operation)Result") else {
            throw missing("\(operation)Result", in: operation)
        }
        return result
    }

    static func tags(in node: XMLNode) -> [String: String] {
        var tags: [String: String] = [:]
        for member in node.items(in: "Tags", named: "member") {
            if let key = member.text(of: "Key") { tags[key] = member.text(of: "Value") ?? "" }
        }
        return tags
    }

    /// IAM returns policy documents URL-encoded (RFC 3986); JSON text always starts with `{`.
    static func policyText(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") { return trimmed }
        return trimmed.removingPercentEncoding ?? trimmed
    }

    static func missing(_ element: String, in operation: String) -> IAMError {
        .malformedResponse(operation: operation, reason: "missing <\(element)>")
    }
}
