import AWS
import Foundation
import Pipeline

/// The AWS clients both tiers use, built once from the configuration: one custom endpoint (moto)
/// or the real regional ones, credentials from the standard chain, retries as configured.
public struct AWSClients: Sendable {
    public let configuration: AWSClientConfiguration
    public let s3: S3Client
    public let sqs: SQSClient
    public let ec2: EC2Client

    /// The clients for `configuration`, with the credentials policy of its mode (local mode never
    /// asks instance metadata; see `Configuration.isLocalMode`). `environment` is the process's,
    /// passed in by the command wiring (the credentials chain reads the AWS_* variables).
    public init(for configuration: Configuration, environment: [String: String])
        throws(ConfigurationError) {
        try self.init(settings: configuration.aws, policy: configuration.credentialsPolicy, environment: environment)
    }

    /// - Parameter policy: how the credentials chain ends; nil derives it from `settings` alone
    ///   (a loopback endpoint is local mode).
    public init(settings: AWSSettings, policy: CredentialsChainPolicy? = nil,
                environment: [String: String]) throws(ConfigurationError) {
        let endpoint = try Self.url(settings.endpointURL, keyPath: "aws.endpointURL")
        let metadata = try Self.url(settings.metadataEndpoint, keyPath: "aws.metadataEndpoint")
        let credentials = DefaultCredentialsChain(
            environment: environment, metadataEndpoint: metadata,
            policy: policy ?? settings.credentialsPolicy(localMode: settings.endpointIsLoopback))
        let configuration = AWSClientConfiguration(
            region: settings.region, endpointURL: endpoint, credentialsProvider: credentials,
            retryPolicy: AWSRetryPolicy(maxAttempts: settings.maxAttempts), metadataEndpoint: metadata)
        self.init(configuration: configuration)
    }

    public init(configuration: AWSClientConfiguration) {
        self.configuration = configuration
        // One transport (one connection pool) for all three clients.
        let transport = CurlTransport()
        s3 = S3Client(configuration: configuration, transport: transport)
        sqs = SQSClient(configuration: configuration, transport: transport)
        ec2 = EC2Client(configuration: configuration, transport: transport)
    }

    /// An IMDSv2 client at the configured metadata endpoint (AWS's default when none is set;
    /// disabled by AWS_EC2_METADATA_DISABLED=true unless an endpoint is configured explicitly).
    public func instanceMetadata(environment: [String: String]) -> IMDSClient {
        IMDSClient(endpoint: configuration.metadataEndpoint, environment: environment)
    }

    private static func url(_ text: String?, keyPath: String) throws(ConfigurationError) -> URL? {
        guard let text, !text.isEmpty else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil
        else {
            throw .invalidValue(source: "configuration", keyPath: keyPath,
                                reason: "'\(text)' is not an http(s) URL with a host")
        }
        return url
    }
}
