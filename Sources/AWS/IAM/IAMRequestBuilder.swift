import Foundation

/// Pure functions from IAM operations to Query protocol requests (API version 2010-05-08).
/// Only what provisioning needs: roles, their inline policies, instance profiles.
public enum IAMRequestBuilder {
    public static let apiVersion = "2010-05-08"

    public static func createRole(name: String, path: String = "/", assumeRolePolicyDocument: String,
                                  description: String? = nil, tags: [String: String] = [:]) -> AWSRequest {
        var form = QueryProtocolForm(action: "CreateRole", version: apiVersion)
        form.add("RoleName", name)
        form.add("Path", path)
        form.add("AssumeRolePolicyDocument", assumeRolePolicyDocument)
        form.add("Description", description)
        addTags(&form, tags)
        return form.request()
    }

    public static func getRole(name: String) -> AWSRequest { roleRequest("GetRole", name) }
    public static func deleteRole(name: String) -> AWSRequest { roleRequest("DeleteRole", name) }
    public static func listRolePolicies(roleName: String) -> AWSRequest { roleRequest("ListRolePolicies", roleName) }
    public static func listRoleTags(roleName: String) -> AWSRequest { roleRequest("ListRoleTags", roleName) }

    public static func updateAssumeRolePolicy(roleName: String, document: String) -> AWSRequest {
        var form = QueryProtocolForm(action: "UpdateAssumeRolePolicy", version: apiVersion)
        form.add("RoleName", roleName)
        form.add("PolicyDocument", document)
        return form.request()
    }

    /// Creates or replaces the role's inline policy `policyName`.
    public static func putRolePolicy(roleName: String, policyName: String, document: String) -> AWSRequest {
        var form = QueryProtocolForm(action: "PutRolePolicy", version: apiVersion)
        form.add("RoleName", roleName)
        form.add("PolicyName", policyName)
        form.add("PolicyDocument", document)
        return form.request()
    }

    public static func getRolePolicy(roleName: String, policyName: String) -> AWSRequest {
        rolePolicyRequest("GetRolePolicy", roleName, policyName)
    }

    public static func deleteRolePolicy(roleName: String, policyName: String) -> AWSRequest {
        rolePolicyRequest("DeleteRolePolicy", roleName, policyName)
    }

    public static func createInstanceProfile(name: String, path: String = "/", tags: [String: String] = [:]) -> AWSRequest {
        var form = QueryProtocolForm(action: "CreateInstanceProfile", version: apiVersion)
        form.add("InstanceProfileName", name)
        form.add("Path", path)
        addTags(&form, tags)
        return form.request()
    }

    public static func getInstanceProfile(name: String) -> AWSRequest { profileRequest("GetInstanceProfile", name) }
    public static func deleteInstanceProfile(name: String) -> AWSRequest { profileRequest("DeleteInstanceProfile", name) }

    public static func addRoleToInstanceProfile(profileName: String, roleName: String) -> AWSRequest {
        profileRoleRequest("AddRoleToInstanceProfile", profileName, roleName)
    }

    public static func removeRoleFromInstanceProfile(profileName: String, roleName: String) -> AWSRequest {
        profileRoleRequest("RemoveRoleFromInstanceProfile", profileName, roleName)
    }

    // MARK: Shapes shared by several operations

    static func roleRequest(_ action: String, _ roleName: String) -> AWSRequest {
        var form = QueryProtocolForm(action: action, version: apiVersion)
        form.add("RoleName", roleName)
        return form.request()
    }

    static func rolePolicyRequest(_ action: String, _ roleName: String, _ policyName: String) -> AWSRequest {
        var form = QueryProtocolForm(action: action, version: apiVersion)
        form.add("RoleName", roleName)
        form.add("PolicyName", policyName)
        return form.request()
    }

    static func profileRequest(_ action: String, _ profileName: String) -> AWSRequest {
        var form = QueryProtocolForm(action: action, version: apiVersion)
        form.add("InstanceProfileName", profileName)
        return form.request()
    }

    static func profileRoleRequest(_ action: String, _ profileName: String, _ roleName: String) -> AWSRequest {
        var form = QueryProtocolForm(action: action, version: apiVersion)
        form.add("InstanceProfileName", profileName)
        form.add("RoleName", roleName)
        return form.request()
    }

    /// `Tags.member.N.Key` / `.Value`, sorted by key so a request is reproducible.
    static func addTags(_ form: inout QueryProtocolForm, _ tags: [String: String]) {
        for (index, tag) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
            form.add("Tags.member.\(index + 1).Key", tag.key)
            form.add("Tags.member.\(index + 1).Value", tag.value)
        }
    }
}
