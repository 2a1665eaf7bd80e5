import AWS
import Foundation
import Pipeline

/// The queues and buckets a worker uses, found but never created: least privilege gives the app
/// tier no `sqs:CreateQueue` or `s3:CreateBucket`, and a worker that made a queue under a
/// mistyped name would wait on it for ever instead of saying what is wrong. (The web tier still
/// creates them in local mode, `storage.createIfMissing`/`queues.createIfMissing`, through
/// `ProvisionedResources`.) The dead-letter queue is not looked up: SQS moves messages there, the
/// worker never touches it.
public struct WorkerResources: Sendable {
    public let requests: SQSJobQueue
    public let responses: SQSJobQueue
    public let store: S3ObjectStore
    public let inputBucket: String
    public let outputBucket: String

    /// Looks every resource up and reports all the missing ones at once. The lookups retry as
    /// `AWSClients.startupRetryPolicy` says; the queues and store returned use `clients` as they are.
    public static func find(_ configuration: Configuration, clients: AWSClients) async throws -> WorkerResources {
        let patient = clients.retrying(with: AWSClients.startupRetryPolicy(atLeast: configuration.aws.maxAttempts))
        let queues = configuration.queues
        let suffix = queues.fifo ? ".fifo" : ""
        var missing: [MissingResource] = []
        func queueURL(_ name: String, keyPath: String) async throws -> String? {
            do {
                return try await patient.sqs.queueURL(named: name + suffix)
            } catch SQSError.queueDoesNotExist {
                missing.append(MissingResource(kind: .queue, name: name + suffix, keyPath: keyPath))
                return nil
            }
        }
        let requestURL = try await queueURL(queues.requestQueue, keyPath: "queues.requestQueue")
        let responseURL = try await queueURL(queues.responseQueue, keyPath: "queues.responseQueue")
        let storage = configuration.storage
        for (bucket, keyPath) in [(storage.inputBucket, "storage.inputBucket"), (storage.outputBucket, "storage.outputBucket")] {
            do {
                try await patient.s3.headBucket(bucket)
            } catch S3Error.noSuchBucket {
                missing.append(MissingResource(kind: .bucket, name: bucket, keyPath: keyPath))
            } catch let S3Error.other(_, _, status, _) where status == 404 {
                missing.append(MissingResource(kind: .bucket, name: bucket, keyPath: keyPath))
            }
        }
        guard let requestURL, let responseURL, missing.isEmpty else { throw MissingResourcesError(missing: missing) }
        return WorkerResources(
            requests: SQSJobQueue(client: clients.sqs, queueURL: requestURL, isFIFO: queues.fifo),
            responses: SQSJobQueue(client: clients.sqs, queueURL: responseURL, isFIFO: queues.fifo),
            store: S3ObjectStore(client: clients.s3), inputBucket: storage.inputBucket, outputBucket: storage.outputBucket)
    }
}

/// A queue or bucket the configuration names and the account does not have.
public struct MissingResource: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable { case queue = "SQS queue", bucket = "S3 bucket" }
    public var kind: Kind
    public var name: String
    /// The configuration key that names it.
    public var keyPath: String

    public var description: String { "\(kind.rawValue) '\(name)' (\(keyPath))" }
}

/// The worker cannot start: these resources are missing.
public struct MissingResourcesError: Error, Sendable, Equatable, CustomStringConvertible {
    public var missing: [MissingResource]

    public var description: String {
        "missing \(missing.map(\.description).joined(separator: ", ")): workers do not create queues or buckets;"
            + " start the web tier first (it creates them in local mode) or create them in the account"
    }
}
