import AWS
import Foundation
import Testing
import TestSupport

/// Signature checking end to end: a private moto (checking is global to a server, so the shared
/// one stays unchecked for every other suite), an IAM user and access key made through moto's
/// IAM API, then S3, SQS and EC2 calls signed right and signed wrong.
///
/// Keys, bucket and queue names are plain ASCII: moto's own canonicalisation is wrong for
/// characters such as `+ = & ( ) , ; @ : ! ' $` (LOCAL-AWS.md), which is not what this checks.
@Suite("Signature checking against a private moto", .serialized)
struct MotoSignatureTests {
    @Test("correctly signed S3, SQS and EC2 calls succeed; a wrong secret or unknown key gets each service's typed error")
    func signatureChecking() async throws {
        let server = try MotoServer.startPrivate()
        defer { server.stop() }
        let credentials = try await MotoIAM(server: server).createUserWithAccessKey(MotoNames.unique("signer"))
        #expect(credentials.accessKeyID != MotoServer.testCredentials.accessKeyID)
        try server.setSignatureChecking(true)

        // Right key and secret.
        let good = server.configuration(credentials: credentials)
        let s3 = S3Client(configuration: good)
        let bucket = MotoNames.unique("sig")
        try await s3.createBucket(bucket)
        try await s3.putObject(bucket: bucket, key: "photo.jpg", body: Data("signed".utf8), metadata: ["job-id": "1"])
        #expect(try await s3.getObject(bucket: bucket, key: "photo.jpg").body == Data("signed".utf8))
        #expect(try await s3.listAllObjects(bucket: bucket).map(\.key) == ["photo.jpg"])

        let sqs = SQSClient(configuration: good)
        let queue = try await sqs.createQueue(named: MotoNames.unique("sig"))
        try await sqs.sendMessage(queueURL: queue, body: "signed")
        #expect(try await sqs.receiveMessages(queueURL: queue, waitTimeSeconds: 1).map(\.body) == ["signed"])

        let ec2 = EC2Client(configuration: good)
        let launched = try await ec2.runInstances(EC2RunInstancesRequest(imageId: EC2MotoTests.imageId, instanceType: "t3.micro",
                                                                         tags: ["Purpose": "signature"]))
        #expect(launched.count == 1)
        #expect(try await ec2.describeAllInstances(filters: [.tag("Purpose", "signature")]).count == 1)

        // Same key id, wrong secret: every service says the signature is wrong, each in its own way.
        let wrongSecret = AWSCredentials(accessKeyID: credentials.accessKeyID,
                                         secretAccessKey: String(credentials.secretAccessKey.reversed()))
        let bad = server.configuration(credentials: wrongSecret)
        do {
            _ = try await S3Client(configuration: bad).getObject(bucket: bucket, key: "photo.jpg")
            Issue.record("S3 accepted a wrong secret")
        } catch S3Error.signatureDoesNotMatch {
            // expected: 403 SignatureDoesNotMatch (XML)
        }
        do {
            try await S3Client(configuration: bad).putObject(bucket: bucket, key: "forged.jpg", body: Data("x".utf8))
            Issue.record("S3 accepted a wrong secret on PUT")
        } catch S3Error.signatureDoesNotMatch {
            // expected
        }
        do {
            _ = try await SQSClient(configuration: bad).sendMessage(queueURL: queue, body: "forged")
            Issue.record("SQS accepted a wrong secret")
        } catch SQSError.signatureDoesNotMatch {
            // expected: 403 with an XML body even on the JSON protocol
        }
        do {
            _ = try await EC2Client(configuration: bad).describeInstances()
            Issue.record("EC2 accepted a wrong secret")
        } catch EC2Error.authFailure {
            // expected: 401 AuthFailure
        }

        // An access key id the server has never issued: each service's "unknown key" error.
        let unknown = server.configuration(credentials: AWSCredentials(accessKeyID: "AKIAUNKNOWNKEY000000",
                                                                       secretAccessKey: credentials.secretAccessKey))
        do {
            _ = try await S3Client(configuration: unknown).listObjectsV2(bucket: bucket)
            Issue.record("S3 accepted an unknown access key")
        } catch S3Error.invalidAccessKeyID {
            // expected: 403 InvalidAccessKeyId
        }
        do {
            _ = try await SQSClient(configuration: unknown).queueAttributes(queueURL: queue)
            Issue.record("SQS accepted an unknown access key")
        } catch SQSError.invalidClientToken {
            // expected: 403 InvalidClientTokenId (XML body)
        }
        do {
            _ = try await EC2Client(configuration: unknown).describeInstances()
            Issue.record("EC2 accepted an unknown access key")
        } catch EC2Error.authFailure {
            // expected: 401 AuthFailure, the same answer as for a wrong secret
        }

        // The forged calls changed nothing.
        #expect(try await s3.listAllObjects(bucket: bucket).map(\.key) == ["photo.jpg"])
        #expect(try await sqs.queueAttributes(queueURL: queue).approximateNumberOfMessages == 0)
    }
}
