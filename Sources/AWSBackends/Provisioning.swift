import AWS
import Foundation
import Pipeline

/// The queues and buckets a running system uses, found (or created, where the configuration
/// allows) at start-up by the web tier; creating what already exists is harmless. Workers never
/// create anything: they look their resources up with `WorkerResources.find`.
public struct ProvisionedResources: Sendable {
    public let requests: SQSJobQueue
    public let responses: SQSJobQueue
    public let deadLetterQueueURL: String
    public let store: S3ObjectStore
    public let inputBucket: String
    public let outputBucket: String

    /// The lookups retry as `AWSClients.startupRetryPolicy` says; the queues and store returned
    /// use `clients` as they are.
    public static func prepare(_ configuration: Configuration, clients: AWSClients) async throws -> ProvisionedResources {
        let queues = configuration.queues
        let suffix = queues.fifo ? ".fifo" : ""
        let patient = clients.retrying(with: AWSClients.startupRetryPolicy(atLeast: configuration.aws.maxAttempts))
        let sqs = patient.sqs
        let deadLetterURL: String
        let requestURL: String
        let responseURL: String
        if queues.createIfMissing {
            deadLetterURL = try await Self.createOrFind(sqs,
                named: queues.deadLetterQueue + suffix,
                attributes: SQSQueueAttributes(fifoQueue: queues.fifo ? true : nil,
                                               messageRetentionPeriod: 1_209_600))
            let deadLetterARN = try await sqs.queueAttributes(queueURL: deadLetterURL, names: ["QueueArn"]).queueArn
            guard let deadLetterARN else {
                throw SQSError.malformedResponse(operation: "GetQueueAttributes", reason: "no QueueArn for the dead-letter queue")
            }
            requestURL = try await Self.createOrFind(sqs,
                named: queues.requestQueue + suffix,
                attributes: SQSQueueAttributes(
                    fifoQueue: queues.fifo ? true : nil, visibilityTimeout: queues.visibilityTimeoutSeconds,
                    receiveMessageWaitTimeSeconds: queues.longPollSeconds,
                    redrivePolicy: SQSRedrivePolicy(deadLetterTargetArn: deadLetterARN,
                                                    maxReceiveCount: queues.maxReceiveCount)))
            responseURL = try await Self.createOrFind(sqs,
                named: queues.responseQueue + suffix,
                attributes: SQSQueueAttributes(fifoQueue: queues.fifo ? true : nil,
                                               receiveMessageWaitTimeSeconds: queues.longPollSeconds))
        } else {
            deadLetterURL = try await sqs.queueURL(named: queues.deadLetterQueue + suffix)
            requestURL = try await sqs.queueURL(named: queues.requestQueue + suffix)
            responseURL = try await sqs.queueURL(named: queues.responseQueue + suffix)
        }
        let storage = configuration.storage
        for bucket in [storage.inputBucket, storage.outputBucket] {
            if storage.createIfMissing {
                try await patient.s3.createBucket(bucket)
            } else {
                try await patient.s3.headBucket(bucket)
            }
        }
        return ProvisionedResources(
            requests: SQSJobQueue(client: clients.sqs, queueURL: requestURL, isFIFO: queues.fifo),
            responses: SQSJobQueue(client: clients.sqs, queueURL: responseURL, isFIFO: queues.fifo),
            deadLetterQueueURL: deadLetterURL, store: S3ObjectStore(client: clients.s3),
            inputBucket: storage.inputBucket, outputBucket: storage.outputBucket)
    }

    /// Creates the queue, or uses the existing one when it was made with other attributes (by an
    /// operator, or another tier with a different configuration): its attributes win.
    static func createOrFind(_ sqs: SQSClient, named name: String, attributes: SQSQueueAttributes) async throws -> String {
        do {
            return try await sqs.createQueue(named: name, attributes: attributes)
        } catch SQSError.queueNameExists {
            return try await sqs.queueURL(named: name)
        }
    }
}
