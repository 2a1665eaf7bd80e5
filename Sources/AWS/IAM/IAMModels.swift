import Foundation

/// An IAM role as IAM reports it.
public struct IAMRole: Sendable, Equatable {
    public var roleName: String
    public var roleId: String
    public var arn: String
    public var path: String
    /// The trust policy, as JSON text (IAM sends it URL-encoded; it is decoded here).
    public var assumeRolePolicyDocument: String?
    public var tags: [String: String]

    public init(roleName: String, roleId: String, arn: String, path: String = "/",
                assumeRolePolicyDocument: String? = nil, tags: [String: String] = [:]) {
        self.roleName = roleName
        self.roleId = roleId
        self.arn = arn
        self.path = path
        self.assumeRolePolicyDocument = assumeRolePolicyDocument
        self.tags = tags
    }
}

/// An instance profile: the wrapper EC2 needs to hand a role to an instance.
public struct IAMInstanceProfile: Sendable, Equatable {
    public var name: String
    public var instanceProfileId: String
    public var arn: String
    public var path: String
    /// The roles in it (IAM allows at most one).
    public var roleNames: [String]
    public var tags: [String: String]

    public init(name: String, instanceProfileId: String, arn: String, path: String = "/",
                roleNames: [String] = [], tags: [String: String] = [:]) {
        self.name = name
        self.instanceProfileId = instanceProfileId
        self.arn = arn
        self.path = path
        self.roleNames = roleNames
        self.tags = tags
    }
}
