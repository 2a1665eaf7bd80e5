import Foundation
import Logging

/// Connect and total timeouts for one HTTP attempt.
public struct AWSTimeouts: Sendable, Equatable {
    public var connect: Duration
    /// The whole attempt, from connect to the last body byte (a request may override it).
    public var request: Duration

    public init(connect: Duration = .seconds(5), request: Duration = .seconds(60)) {
        self.connect = connect
        self.request = request
    }
}

/// Everything a service client needs to reach and authenticate with AWS (or moto).
///
/// aws-svc: take one of these in your client's initialiser and pass it on to
/// `AWSServiceClient`; tests build it with `endpointURL` = moto's URL and static credentials.
public struct AWSClientConfiguration: Sendable {
    public var region: String
    /// One custom endpoint (e.g. moto at http://127.0.0.1:PORT) for every service; nil means the
    /// real regional endpoints. S3 uses path-style addressing with a custom endpoint.
    public var endpointURL: URL?
    public var credentialsProvider: any AWSCredentialsProvider
    public var retryPolicy: AWSRetryPolicy
    public var timeouts: AWSTimeouts
    /// The instance-metadata endpoint for IMDS and role credentials; nil means the EC2 default.
    public var metadataEndpoint: URL?
    /// Retries are logged at `.debug` (with the failure), each attempt at `.trace`.
    public var logger: Logger

    public init(region: String, endpointURL: URL? = nil, credentialsProvider: any AWSCredentialsProvider,
                retryPolicy: AWSRetryPolicy = .default, timeouts: AWSTimeouts = AWSTimeouts(),
                metadataEndpoint: URL? = nil, logger: Logger = Logger(label: "elastic.aws")) {
        self.region = region
        self.endpointURL = endpointURL
        self.credentialsProvider = credentialsProvider
        self.retryPolicy = retryPolicy
        self.timeouts = timeouts
        self.metadataEndpoint = metadataEndpoint
        self.logger = logger
    }
}
