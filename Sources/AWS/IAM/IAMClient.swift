import Foundation

/// An IAM client for what provisioning needs: roles with inline policies and instance profiles.
///
/// IAM is global: requests go to `iam.amazonaws.com` (or the custom endpoint) and are signed for
/// region us-east-1, whatever region the configuration names for the other services.
public struct IAMClient: Sendable {
    public let core: AWSServiceClient
    /// The signing region of every IAM request.
    public static let signingRegion = "us-east-1"

    public init(configuration: AWSClientConfiguration, transport: CurlTransport? = nil) {
        var global = configuration
        global.region = Self.signingRegion
        core = AWSServiceClient(service: .iam, configuration: global, errorDecoder: XMLErrorDecoder(), transport: transport)
    }

    // MARK: Roles

    public func createRole(name: String, path: String = "/", assumeRolePolicyDocument: String,
                           description: String? = nil, tags: [String: String] = [:]) async throws -> IAMRole {
        let request = IAMRequestBuilder.createRole(name: name, path: path, assumeRolePolicyDocument: assumeRolePolicyDocument,
                                                   description: description, tags: tags)
        return try IAMResponseParser.role(try await perform(request), operation: "CreateRole")
    }

    /// The role, or nil when there is none of that name.
    public func role(named name: String) async throws -> IAMRole? {
        do {
            return try IAMResponseParser.role(try await perform(IAMRequestBuilder.getRole(name: name)), operation: "GetRole")
        } catch IAMError.noSuchEntity {
            return nil
        }
    }

    public func deleteRole(name: String) async throws {
        try IAMResponseParser.empty(try await perform(IAMRequestBuilder.deleteRole(name: name)), operation: "DeleteRole")
    }

    public func updateAssumeRolePolicy(roleName: String, document: String) async throws {
        let request = IAMRequestBuilder.updateAssumeRolePolicy(roleName: roleName, document: document)
        try IAMResponseParser.empty(try await perform(request), operation: "UpdateAssumeRolePolicy")
    }

    public func roleTags(roleName: String) async throws -> [String: String] {
        try IAMResponseParser.tagList(try await perform(IAMRequestBuilder.listRoleTags(roleName: roleName)), operation: "ListRoleTags")
    }

    // MARK: Inline policies

    public func putRolePolicy(roleName: String, policyName: String, document: String) async throws {
        let request = IAMRequestBuilder.putRolePolicy(roleName: roleName, policyName: policyName, document: document)
        try IAMResponseParser.empty(try await perform(request), operation: "PutRolePolicy")
    }

    /// The inline policy's JSON text, or nil when the role has no policy of that name.
    public func rolePolicy(roleName: String, policyName: String) async throws -> String? {
        do {
            let request = IAMRequestBuilder.getRolePolicy(roleName: roleName, policyName: policyName)
            return try IAMResponseParser.rolePolicyDocument(try await perform(request))
        } catch IAMError.noSuchEntity {
            return nil
        }
    }

    public func rolePolicyNames(roleName: String) async throws -> [String] {
        try IAMResponseParser.policyNames(try await perform(IAMRequestBuilder.listRolePolicies(roleName: roleName)))
    }

    public func deleteRolePolicy(roleName: String, policyName: String) async throws {
        let request = IAMRequestBuilder.deleteRolePolicy(roleName: roleName, policyName: policyName)
        try IAMResponseParser.empty(try await perform(request), operation: "DeleteRolePolicy")
    }

    // MARK: Instance profiles

    public func createInstanceProfile(name: String, path: String = "/", tags: [String: String] = [:]) async throws -> IAMInstanceProfile {
        let request = IAMRequestBuilder.createInstanceProfile(name: name, path: path, tags: tags)
        return try IAMResponseParser.instanceProfile(try await perform(request), operation: "CreateInstanceProfile")
    }

    /// The instance profile, or nil when there is none of that name.
    public func instanceProfile(named name: String) async throws -> IAMInstanceProfile? {
        do {
            return try IAMResponseParser.instanceProfile(try await perform(IAMRequestBuilder.getInstanceProfile(name: name)),
                                                         operation: "GetInstanceProfile")
        } catch IAMError.noSuchEntity {
            return nil
        }
    }

    public func addRoleToInstanceProfile(profileName: String, roleName: String) async throws {
        let request = IAMRequestBuilder.addRoleToInstanceProfile(profileName: profileName, roleName: roleName)
        try IAMResponseParser.empty(try await perform(request), operation: "AddRoleToInstanceProfile")
    }

    public func removeRoleFromInstanceProfile(profileName: String, roleName: String) async throws {
        let request = IAMRequestBuilder.removeRoleFromInstanceProfile(profileName: profileName, roleName: roleName)
        try IAMResponseParser.empty(try await perform(request), operation: "RemoveRoleFromInstanceProfile")
    }

    public func deleteInstanceProfile(name: String) async throws {
        try IAMResponseParser.empty(try await perform(IAMRequestBuilder.deleteInstanceProfile(name: name)),
                                    operation: "DeleteInstanceProfile")
    }

    /// Sends through the core; service errors become `IAMError`s.
    func perform(_ request: AWSRequest) async throws -> Data {
        do {
            return try await core.send(request).body
        } catch let error as AWSServiceError {
            throw IAMError.from(code: error.code, message: error.message.isEmpty ? nil : error.message,
                                status: error.statusCode, requestID: error.requestID)
        }
    }
}
