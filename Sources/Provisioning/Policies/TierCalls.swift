/// One AWS call a tier's code makes: the IAM action it needs and an example of the resource it
/// acts on (a concrete ARN, as IAM evaluates it).
public struct AWSCall: Sendable, Hashable, CustomStringConvertible {
    public var action: String
    public var resource: String

    public init(_ action: String, _ resource: String) {
        self.action = action
        self.resource = resource
    }

    public var description: String { "\(action) on \(resource)" }
}

/// Which tier.
public enum Tier: String, Sendable, CaseIterable {
    case appTier = "app-tier"
    case webTier = "web-tier"
}

/// Every AWS call each tier's code can make (the least-privilege test checks this list against
/// the client methods the tier's sources call, and each tier's policy against this list).
public enum TierCalls {
    public static func calls(_ tier: Tier, _ context: PolicyContext) -> [AWSCall] {
        let names = context.names
        let upload = context.bucket(names.inputBucket) + "/uploads/0123/4567/photo.jpg"
        let result = context.bucket(names.outputBucket) + "/results/0123/4567.json"
        let requests = context.queue(names.requestQueue)
        let responses = context.queue(names.responseQueue)
        let deadLetters = context.queue(names.deadLetterQueue)
        let startUp = [
            // Start-up checks that the queues and buckets exist (HeadBucket is s3:ListBucket).
            AWSCall("sqs:GetQueueUrl", requests), AWSCall("sqs:GetQueueUrl", responses),
            AWSCall("s3:ListBucket", context.bucket(names.inputBucket)),
            AWSCall("s3:ListBucket", context.bucket(names.outputBucket)),
        ]
        let ourInstance = context.ec2("instance/i-0123456789abcdef0")
        switch tier {
        case .appTier:
            return startUp + [
                AWSCall("s3:GetObject", upload),
                AWSCall("s3:PutObject", result),
                AWSCall("s3:PutObject", context.bucket(names.outputBucket) + "/test_0"),
                AWSCall("sqs:ReceiveMessage", requests), AWSCall("sqs:DeleteMessage", requests),
                AWSCall("sqs:ChangeMessageVisibility", requests),
                AWSCall("sqs:SendMessage", responses),
                AWSCall("ec2:TerminateInstances", ourInstance),
                // Idle warm-pool members stop instead; the worker reads its own tags to know.
                AWSCall("ec2:DescribeInstances", "*"), AWSCall("ec2:StopInstances", ourInstance),
            ]
        case .webTier:
            return startUp + [
                AWSCall("s3:PutObject", upload), AWSCall("s3:DeleteObject", upload), AWSCall("s3:GetObject", upload),
                AWSCall("s3:GetObject", result),
                AWSCall("sqs:SendMessage", requests), AWSCall("sqs:GetQueueAttributes", requests),
                AWSCall("sqs:ReceiveMessage", responses), AWSCall("sqs:DeleteMessage", responses),
                // The dead-letter queue: found at start, read and emptied by `DeadLetterPoller`,
                // which also stores each failure beside the results.
                AWSCall("sqs:GetQueueUrl", deadLetters), AWSCall("sqs:ReceiveMessage", deadLetters),
                AWSCall("sqs:DeleteMessage", deadLetters), AWSCall("sqs:ChangeMessageVisibility", deadLetters),
                AWSCall("s3:PutObject", result),
                AWSCall("ec2:RunInstances", ourInstance), AWSCall("ec2:RunInstances", String(context.anyImage.dropLast()) + "ami-0123"),
                AWSCall("ec2:RunInstances", context.ec2("subnet/subnet-0123")),
                AWSCall("ec2:RunInstances", context.ec2("security-group/sg-0123")),
                AWSCall("ec2:RunInstances", context.ec2("network-interface/eni-0123")),
                AWSCall("ec2:RunInstances", context.ec2("volume/vol-0123")),
                AWSCall("ec2:RunInstances", context.ec2("key-pair/deploy")),
                AWSCall("ec2:CreateTags", ourInstance), AWSCall("ec2:CreateTags", context.ec2("volume/vol-0123")),
                AWSCall("ec2:DescribeInstances", "*"),
                AWSCall("ec2:TerminateInstances", ourInstance),
                // The warm pool: members are started on scale-out and stopped when surplus.
                AWSCall("ec2:StartInstances", ourInstance), AWSCall("ec2:StopInstances", ourInstance),
                AWSCall("iam:PassRole", context.appTierRoleArn),
            ]
        }
    }
}
