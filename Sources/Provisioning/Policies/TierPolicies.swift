/// The least each tier needs, as IAM policies. `TierCalls` lists the calls these grant, and a
/// test checks the two against each other and against the code.
public enum TierPolicies {
    /// Who may assume a tier's role: EC2, for the instance profile.
    public static let ec2TrustPolicy = PolicyDocument(statements: [
        PolicyStatement(sid: "EC2AssumesRole", actions: ["sts:AssumeRole"], principal: ["Service": "ec2.amazonaws.com"]),
    ])

    /// The worker: read uploads, write results, consume requests, answer on the response queue,
    /// and terminate its own instance (only instances carrying the fleet tag).
    public static func appTier(_ context: PolicyContext) -> PolicyDocument {
        let names = context.names
        return PolicyDocument(statements: [
            PolicyStatement(sid: "ReadUploads", actions: ["s3:GetObject"],
                            resources: [context.objects(names.inputBucket, prefix: DeploymentNames.uploadsPrefix)]),
            // Results are `results/…` plus, in the course profile, one object per image at the
            // bucket's root: the bucket holds nothing else, so the grant is the whole bucket.
            PolicyStatement(sid: "WriteResults", actions: ["s3:PutObject"], resources: [context.objects(names.outputBucket)]),
            PolicyStatement(sid: "CheckBuckets", actions: ["s3:ListBucket"],
                            resources: [context.bucket(names.inputBucket), context.bucket(names.outputBucket)]),
            PolicyStatement(sid: "ConsumeRequests",
                            actions: ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueUrl",
                                      "sqs:ReceiveMessage"],
                            resources: [context.queue(names.requestQueue)]),
            PolicyStatement(sid: "SendResponses", actions: ["sqs:GetQueueUrl", "sqs:SendMessage"],
                            resources: [context.queue(names.responseQueue)]),
            PolicyStatement(sid: "TerminateOwnFleet", actions: ["ec2:TerminateInstances"],
                            resources: [context.ec2("instance/*")], condition: context.taggedResource),
            // A warm-pool member stops itself instead; only members of our fleet may be stopped.
            PolicyStatement(sid: "StopOwnPoolMember", actions: ["ec2:StopInstances"],
                            resources: [context.ec2("instance/*")], condition: context.taggedPoolMember),
            // To read its own tags (DescribeInstances has no resource-level permissions in IAM).
            PolicyStatement(sid: "ReadOwnTags", actions: ["ec2:DescribeInstances"], resources: ["*"]),
        ])
    }

    /// The web tier: accept uploads, read results, submit requests, collect responses, and run
    /// the app-tier fleet (launch only tagged instances, with the app-tier role and nothing else).
    public static func webTier(_ context: PolicyContext) -> PolicyDocument {
        let names = context.names
        let tagKey = DeploymentNames.fleetTagKey
        return PolicyDocument(statements: [
            // Delete: an upload whose job could not be queued is removed again.
            PolicyStatement(sid: "StoreUploads", actions: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                            resources: [context.objects(names.inputBucket, prefix: DeploymentNames.uploadsPrefix)]),
            PolicyStatement(sid: "ReadResults", actions: ["s3:GetObject"], resources: [context.objects(names.outputBucket)]),
            PolicyStatement(sid: "ListBuckets", actions: ["s3:ListBucket"],
                            resources: [context.bucket(names.inputBucket), context.bucket(names.outputBucket)]),
            PolicyStatement(sid: "SubmitRequests", actions: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
                            resources: [context.queue(names.requestQueue)]),
            PolicyStatement(sid: "CollectResponses", actions: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
                            resources: [context.queue(names.responseQueue)]),
            // A dead-lettered image is announced as failed (`DeadLetterPoller`): its message is
            // received and deleted, a message that is not a job is hidden for an operator, and
            // the failure is stored beside the results so that a rebuilt job shows it.
            PolicyStatement(sid: "AnnounceDeadLetters",
                            actions: ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueUrl",
                                      "sqs:ReceiveMessage"],
                            resources: [context.queue(names.deadLetterQueue)]),
            PolicyStatement(sid: "RecordDeadLetteredFailures", actions: ["s3:PutObject"],
                            resources: [context.objects(names.outputBucket, prefix: "results/")]),
            // RunInstances is authorised per resource it touches: the instance must be tagged
            // as ours in the request; image, network and storage resources are unconditioned.
            PolicyStatement(sid: "LaunchTaggedInstances", actions: ["ec2:RunInstances"],
                            resources: [context.ec2("instance/*")],
                            condition: ["StringEquals": ["aws:RequestTag/\(tagKey)": [names.fleetTag]]]),
            PolicyStatement(sid: "LaunchWithResources", actions: ["ec2:RunInstances"],
                            resources: [context.anyImage, context.ec2("key-pair/*"), context.ec2("network-interface/*"),
                                        context.ec2("security-group/*"), context.ec2("subnet/*"), context.ec2("volume/*")]),
            PolicyStatement(sid: "TagAtLaunch", actions: ["ec2:CreateTags"],
                            resources: [context.ec2("instance/*"), context.ec2("volume/*")],
                            condition: ["StringEquals": ["ec2:CreateAction": ["RunInstances"]]]),
            PolicyStatement(sid: "ManageOwnFleet", actions: ["ec2:CreateTags", "ec2:TerminateInstances"],
                            resources: [context.ec2("instance/*")], condition: context.taggedResource),
            // The warm pool: stopped members are started on scale-out, surplus members stopped.
            PolicyStatement(sid: "PowerOwnPoolMembers", actions: ["ec2:StartInstances", "ec2:StopInstances"],
                            resources: [context.ec2("instance/*")], condition: context.taggedPoolMember),
            // DescribeInstances has no resource-level permissions in IAM.
            PolicyStatement(sid: "FindFleet", actions: ["ec2:DescribeInstances"], resources: ["*"]),
            PolicyStatement(sid: "PassAppTierRole", actions: ["iam:PassRole"], resources: [context.appTierRoleArn],
                            condition: ["StringEquals": ["iam:PassedToService": ["ec2.amazonaws.com"]]]),
        ])
    }
}
