/// Which AWS service a client talks to: the SigV4 signing name and the endpoint host prefix.
///
/// aws-svc: use `.s3`, `.sqs`, `.ec2` when creating your `AWSServiceClient`.
public struct AWSService: Sendable, Equatable {
    /// The name in the credential scope (`…/us-east-1/s3/aws4_request`).
    public var signingName: String
    /// The first label of the regional host name (`sqs` in `sqs.us-east-1.amazonaws.com`).
    public var endpointPrefix: String
    /// A global service's one host (`iam.amazonaws.com`) instead of a regional one; such services
    /// sign with the scope region us-east-1 whatever region the rest of the system uses.
    public var globalHost: String?

    public init(signingName: String, endpointPrefix: String? = nil, globalHost: String? = nil) {
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix ?? signingName
        self.globalHost = globalHost
    }

    public static let s3 = AWSService(signingName: "s3")
    public static let sqs = AWSService(signingName: "sqs")
    public static let ec2 = AWSService(signingName: "ec2")
    public static let iam = AWSService(signingName: "iam", globalHost: "iam.amazonaws.com")

    /// S3 signs the path as sent (single encoding) and always sends x-amz-content-sha256.
    public var isS3: Bool { signingName == "s3" }
}
