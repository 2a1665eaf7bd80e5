import Foundation
import Logging

/// The standard lookup order: explicit credentials → environment variables → shared
/// credentials file profile → EC2 instance role (IMDSv2). The first source that is configured
/// wins and is remembered; a source that is configured but broken (half a key pair, a named
/// profile that does not exist) is an error rather than a silent fall-through.
///
/// The instance role is asked only when the `policy` says so (a local AWS never does, unless a
/// metadata endpoint was configured explicitly), and never while AWS_EC2_METADATA_DISABLED=true.
/// When nothing has credentials, the policy's local test credentials are used, said once in the log.
public final class DefaultCredentialsChain: AWSCredentialsProvider {
    let explicit: AWSCredentials?
    let environment: [String: String]
    let sharedFile: SharedCredentialsFileProvider
    let instanceRole: InstanceRoleCredentialsProvider?
    /// Why `instanceRole` is nil, for the error that says what to configure instead.
    let instanceRoleSkipped: String?
    let localTestCredentials: AWSCredentials?
    let logger: Logger
    private let state = ResolvedSource()

    /// - Parameters:
    ///   - explicit: credentials from configuration; used as is when given.
    ///   - environment: the process environment (injectable for tests).
    ///   - metadataEndpoint: the instance-metadata endpoint; nil means
    ///     AWS_EC2_METADATA_SERVICE_ENDPOINT or the EC2 default.
    ///   - policy: whether the instance role is asked, and the local fallback credentials.
    public init(explicit: AWSCredentials? = nil, environment: [String: String],
                metadataEndpoint: URL? = nil, policy: CredentialsChainPolicy = .aws,
                refreshBefore: Duration = .seconds(300), now: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "elastic.aws.credentials")) {
        self.explicit = explicit
        self.environment = environment
        self.logger = logger
        localTestCredentials = policy.localTestCredentials
        sharedFile = SharedCredentialsFileProvider(environment: environment)
        switch policy.instanceRole {
        case .skip(let reason):
            instanceRole = nil
            instanceRoleSkipped = reason
        case .ask where environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true":
            instanceRole = nil
            instanceRoleSkipped = "instance-role credentials are off (AWS_EC2_METADATA_DISABLED=true)"
        case .ask:
            instanceRole = InstanceRoleCredentialsProvider(
                client: IMDSClient(endpoint: metadataEndpoint, environment: environment),
                refreshBefore: refreshBefore, now: now)
            instanceRoleSkipped = nil
        }
    }

    public func credentials() async throws -> AWSCredentials {
        if let source = await state.source { return try await source.credentials() }
        let source = try await resolveSource()
        await state.remember(source)
        return try await source.credentials()
    }

    /// Which source applies, checked in order.
    func resolveSource() async throws -> any AWSCredentialsProvider {
        if let explicit { return StaticCredentialsProvider(explicit) }
        if let fromEnvironment = try EnvironmentCredentialsProvider(environment: environment).resolve() {
            return StaticCredentialsProvider(fromEnvironment)
        }
        if let fromFile = try sharedFile.resolve() { return StaticCredentialsProvider(fromFile) }
        let configure = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add profile '\(sharedFile.profile)' to "
            + sharedFile.file.path
        guard let instanceRole else {
            if let localTestCredentials {
                if await state.claimFallbackNotice() {
                    logger.notice("no AWS credentials configured: using the local test credentials for the local AWS",
                                  metadata: ["accessKeyID": "\(localTestCredentials.accessKeyID)",
                                             "why": "\(instanceRoleSkipped ?? "local AWS")"])
                }
                return StaticCredentialsProvider(localTestCredentials)
            }
            throw AWSCredentialsError("\(configure); \(instanceRoleSkipped ?? "instance-role credentials are off")")
        }
        do {
            _ = try await instanceRole.credentials()
        } catch {
            throw AWSCredentialsError("\(configure), or run on EC2 with an instance role (\(error))")
        }
        return instanceRole
    }
}

/// The source the chain settled on, and whether the local fallback has been announced.
private actor ResolvedSource {
    var source: (any AWSCredentialsProvider)?
    private var fallbackAnnounced = false

    func remember(_ source: any AWSCredentialsProvider) { self.source = source }

    /// True exactly once: concurrent first callers may each resolve, but only one logs.
    func claimFallbackNotice() -> Bool {
        defer { fallbackAnnounced = true }
        return !fallbackAnnounced
    }
}
