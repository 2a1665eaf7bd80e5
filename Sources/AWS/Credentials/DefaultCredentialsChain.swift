import Foundation

/// The standard lookup order: explicit credentials → environment variables → shared
/// credentials file profile → EC2 instance role (IMDSv2). The first source that is configured
/// wins and is remembered; a source that is configured but broken (half a key pair, a named
/// profile that does not exist) is an error rather than a silent fall-through.
///
/// Instance metadata is skipped entirely when AWS_EC2_METADATA_DISABLED=true.
public final class DefaultCredentialsChain: AWSCredentialsProvider {
    let explicit: AWSCredentials?
    let environment: [String: String]
    let sharedFile: SharedCredentialsFileProvider
    let instanceRole: InstanceRoleCredentialsProvider?
    private let state = ResolvedSource()

    /// - Parameters:
    ///   - explicit: credentials from configuration; used as is when given.
    ///   - environment: the process environment (injectable for tests).
    ///   - metadataEndpoint: the instance-metadata endpoint; nil means
    ///     AWS_EC2_METADATA_SERVICE_ENDPOINT or the EC2 default.
    public init(explicit: AWSCredentials? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                metadataEndpoint: URL? = nil, refreshBefore: Duration = .seconds(300),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.explicit = explicit
        self.environment = environment
        sharedFile = SharedCredentialsFileProvider(environment: environment)
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            instanceRole = nil
        } else {
            instanceRole = InstanceRoleCredentialsProvider(
                client: IMDSClient(endpoint: metadataEndpoint, environment: environment),
                refreshBefore: refreshBefore, now: now)
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
        guard let instanceRole else {
            throw AWSCredentialsError(
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add profile '\(sharedFile.profile)' to "
                + "\(sharedFile.file.path); instance-role credentials are off (AWS_EC2_METADATA_DISABLED=true)")
        }
        do {
            _ = try await instanceRole.credentials()
        } catch {
            throw AWSCredentialsError(
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add profile '\(sharedFile.profile)' to "
                + "\(sharedFile.file.path), or run on EC2 with an instance role (\(error))")
        }
        return instanceRole
    }
}

/// The source the chain settled on.
private actor ResolvedSource {
    var source: (any AWSCredentialsProvider)?
    func remember(_ source: any AWSCredentialsProvider) { self.source = source }
}
