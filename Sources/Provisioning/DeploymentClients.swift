import AWS
import AWSBackends
import Pipeline

/// The four clients provisioning and teardown use (the tiers never get an IAM client).
public struct DeploymentClients: Sendable {
    public let s3: S3Client
    public let sqs: SQSClient
    public let ec2: EC2Client
    public let iam: IAMClient

    public init(_ clients: AWSClients) {
        s3 = clients.s3
        sqs = clients.sqs
        ec2 = clients.ec2
        iam = IAMClient(configuration: clients.configuration)
    }
}
