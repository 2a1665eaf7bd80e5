import Foundation
import TestSupport

/// The IAM action behind each method of our AWS clients (the request each builds: S3's method and
/// sub-resource, SQS's `X-Amz-Target`, EC2's `Action`).
enum ClientActions {
    static let table: [String: String] = [
        // S3
        "createBucket": "s3:CreateBucket", "headBucket": "s3:ListBucket", "deleteBucket": "s3:DeleteBucket",
        "putObject": "s3:PutObject", "getObject": "s3:GetObject", "headObject": "s3:GetObject",
        "deleteObject": "s3:DeleteObject", "listObjectsV2": "s3:ListBucket", "listObjectsV2Pages": "s3:ListBucket",
        "listAllObjects": "s3:ListBucket", "presignedGetURL": "s3:GetObject",
        "makeAsyncIterator": "s3:ListBucket", // the pages of listObjectsV2Pages
        "blockPublicAccess": "s3:PutBucketPublicAccessBlock", "enableDefaultEncryption": "s3:PutEncryptionConfiguration",
        "setLifecycle": "s3:PutLifecycleConfiguration", "setTags": "s3:PutBucketTagging", "tags": "s3:GetBucketTagging",
        "settings": "s3:GetBucketPublicAccessBlock",
        // SQS
        "createQueue": "sqs:CreateQueue", "queueURL": "sqs:GetQueueUrl", "existingQueueURL": "sqs:GetQueueUrl",
        "queueAttributes": "sqs:GetQueueAttributes", "setQueueAttributes": "sqs:SetQueueAttributes",
        "queueTags": "sqs:ListQueueTags", "purgeQueue": "sqs:PurgeQueue", "deleteQueue": "sqs:DeleteQueue",
        "sendMessage": "sqs:SendMessage", "sendMessageBatch": "sqs:SendMessage", "receiveMessages": "sqs:ReceiveMessage",
        "deleteMessage": "sqs:DeleteMessage", "deleteMessageBatch": "sqs:DeleteMessage",
        "changeMessageVisibility": "sqs:ChangeMessageVisibility", "changeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
        // EC2
        "runInstances": "ec2:RunInstances", "describeInstances": "ec2:DescribeInstances",
        "describeAllInstances": "ec2:DescribeInstances", "terminateInstances": "ec2:TerminateInstances",
        "createTags": "ec2:CreateTags", "startInstances": "ec2:StartInstances", "stopInstances": "ec2:StopInstances", "createSecurityGroup": "ec2:CreateSecurityGroup",
        "describeSecurityGroups": "ec2:DescribeSecurityGroups",
        "authorizeSecurityGroupIngress": "ec2:AuthorizeSecurityGroupIngress", "deleteSecurityGroup": "ec2:DeleteSecurityGroup",
    ]
}

/// Reads the project's Swift sources for the least-privilege test.
enum SourceScan {
    struct File {
        var relativePath: String
        var text: String
    }

    /// Not scanned for client calls: the start-up creation of queues and buckets, reached only
    /// with `createIfMissing` (local mode), which the generated configuration turns off; and the
    /// seam adapters, whose calls are attributed to the tier through `seamCalls` instead (both
    /// tiers share them, each using only some of their methods).
    static let notScanned: Set<String> = ["Sources/AWSBackends/SQSJobQueue.swift",
                                          "Sources/AWSBackends/S3ObjectStore.swift"]

    /// Calls made only with `createIfMissing` (local mode): creating queues and buckets, and
    /// reading the dead-letter queue's ARN for the redrive policy of a queue being created.
    static let localModeOnly: [String: Set<String>] = [
        "Sources/AWSBackends/Provisioning.swift": ["sqs:CreateQueue", "s3:CreateBucket", "sqs:GetQueueAttributes"],
    ]

    /// Actions a call needs besides its own: RunInstances with an instance profile passes the
    /// role, and with TagSpecifications tags the instance (IAM checks CreateTags at launch).
    static let implied: [String: Set<String>] = ["ec2:RunInstances": ["iam:PassRole", "ec2:CreateTags"]]

    /// Calls through the `JobQueue` and `ObjectStore` seams and the IAM action of the adapter
    /// method each reaches (`SQSJobQueue`, `S3ObjectStore`).
    static let seamCalls: [(pattern: String, action: String)] = [
        (#"\.receive\(maxMessages:"#, "sqs:ReceiveMessage"), (#"\.delete\((?!bucket:)"#, "sqs:DeleteMessage"),
        (#"\.changeVisibility\(of:"#, "sqs:ChangeMessageVisibility"), (#"\.depth\(\)"#, "sqs:GetQueueAttributes"),
        (#"\.send\((?!text:)"#, "sqs:SendMessage"),
        (#"\.get\(bucket:"#, "s3:GetObject"), (#"\.put\(bucket:"#, "s3:PutObject"), (#"\.list(Objects)?\(bucket:"#, "s3:ListBucket"),
        (#"\.head\(bucket:"#, "s3:GetObject"), (#"\.delete\(bucket:"#, "s3:DeleteObject"),
    ]

    /// The client files: every non-static public method in them is a client call.
    static let clientFiles = [
        "Sources/AWS/S3/S3Client.swift", "Sources/AWS/S3/S3BucketSettings.swift",
        "Sources/AWS/SQS/SQSClient.swift", "Sources/AWS/SQS/SQSQueueManagement.swift",
        "Sources/AWS/EC2/EC2Client.swift", "Sources/AWS/EC2/EC2SecurityGroupOperations.swift",
        "Sources/AWS/EC2/EC2InstancePower.swift",
    ]

    static func swiftFiles(under folders: [String]) throws -> [File] {
        let root = TestPaths.repositoryRoot
        var files: [File] = []
        for folder in folders {
            let base = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where url.pathExtension == "swift" {
                let relative = folder + url.path.dropFirst(base.path.count)
                files.append(File(relativePath: relative, text: try String(contentsOf: url, encoding: .utf8)))
            }
        }
        return files
    }

    /// The IAM actions of the calls in `file`, each with the call that needs it: client methods
    /// (`.name(` for each name in the table) and seam methods, outside comments.
    static func actionsCalled(in file: File) throws -> [String: String] {
        let code = file.text.split(separator: "\n").map { line in
            line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line)
        }.joined(separator: "\n")
        var actions: [String: String] = [:]
        for (method, action) in ClientActions.table where code.contains(".\(method)(") {
            actions[action] = "\(file.relativePath): .\(method)("
        }
        for (pattern, action) in seamCalls where code.range(of: pattern, options: .regularExpression) != nil {
            actions[action] = "\(file.relativePath): \(pattern)"
        }
        for action in localModeOnly[file.relativePath] ?? [] { actions[action] = nil }
        for (action, site) in actions {
            for extra in implied[action] ?? [] where actions[extra] == nil { actions[extra] = site + " (implied)" }
        }
        return actions
    }

    static func publicClientMethods() throws -> Set<String> {
        var methods: Set<String> = []
        let pattern = try NSRegularExpression(pattern: #"^\s*public func (\w+)"#, options: .anchorsMatchLines)
        for path in clientFiles {
            let text = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent(path), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { methods.insert(String(text[range])) }
            }
        }
        return methods
    }
}
