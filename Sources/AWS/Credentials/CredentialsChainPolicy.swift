/// What the credentials chain may do once explicit, environment and shared-file credentials have
/// come up empty. The caller decides it from its configuration (Pipeline derives it: real AWS, or
/// a local one on a loopback endpoint) and hands it to the chain, so that whether a process may
/// reach for the instance-metadata address is a value a test can see, not a hidden check.
public struct CredentialsChainPolicy: Sendable, Equatable {
    /// Whether the EC2 instance role (IMDSv2) is the last source.
    public enum InstanceRole: Sendable, Equatable {
        /// Ask instance metadata (still off while AWS_EC2_METADATA_DISABLED=true).
        case ask
        /// Never ask; `reason` ends up in the error that says what to configure instead.
        case skip(reason: String)
    }

    public var instanceRole: InstanceRole
    /// Used, and announced once in the log, when no source has credentials: moto's test keys for
    /// a local AWS on loopback, which accepts any key while its signature checking is off.
    public var localTestCredentials: AWSCredentials?

    public init(instanceRole: InstanceRole, localTestCredentials: AWSCredentials? = nil) {
        self.instanceRole = instanceRole
        self.localTestCredentials = localTestCredentials
    }

    /// Real AWS: the standard chain, ending with the instance role.
    public static let aws = CredentialsChainPolicy(instanceRole: .ask)

    /// The keys the project's scripts and tests give moto (LOCAL-AWS.md).
    public static let motoTestCredentials = AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")
}
