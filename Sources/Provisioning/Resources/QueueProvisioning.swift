import AWS
import Foundation
import Pipeline

/// The request queue (redriving to the dead-letter queue) and the response queue, tagged.
struct QueueProvisioning: Sendable {
    let sqs: SQSClient
    let names: DeploymentNames
    let settings: QueueSettings

    struct Outcome {
        var changes: [ResourceChange]
        var requestQueueArn: String
    }

    func ensure() async throws -> Outcome {
        let fifo: Bool? = settings.fifo ? true : nil
        let (deadLetterChange, deadLetterURL) = try await ensure(
            names.deadLetterQueue, SQSQueueAttributes(fifoQueue: fifo, messageRetentionPeriod: 1_209_600))
        let deadLetterArn = try await arn(deadLetterURL)
        let (requestChange, requestURL) = try await ensure(names.requestQueue, SQSQueueAttributes(
            fifoQueue: fifo, visibilityTimeout: settings.visibilityTimeoutSeconds,
            receiveMessageWaitTimeSeconds: settings.longPollSeconds,
            redrivePolicy: SQSRedrivePolicy(deadLetterTargetArn: deadLetterArn, maxReceiveCount: settings.maxReceiveCount)))
        let (responseChange, _) = try await ensure(names.responseQueue, SQSQueueAttributes(
            fifoQueue: fifo, receiveMessageWaitTimeSeconds: settings.longPollSeconds))
        return Outcome(changes: [deadLetterChange, requestChange, responseChange], requestQueueArn: try await arn(requestURL))
    }

    func ensure(_ name: String, _ wanted: SQSQueueAttributes) async throws -> (ResourceChange, String) {
        guard let url = try await sqs.existingQueueURL(named: name) else {
            let url = try await sqs.createQueue(named: name, attributes: wanted, tags: names.tags)
            return (ResourceChange(.queue, name, .created), url)
        }
        guard names.isOurs(try await sqs.queueTags(queueURL: url)) else {
            throw ProvisioningError.foreignResource(kind: "SQS queue", name: name)
        }
        let actual = try await sqs.queueAttributes(queueURL: url).raw
        var differing = wanted.wireAttributes.filter { !Self.same($0.key, $0.value, actual[$0.key]) }
        // FifoQueue cannot change after creation; a mismatch there is the name's `.fifo` suffix's job.
        differing["FifoQueue"] = nil
        guard !differing.isEmpty else { return (ResourceChange(.queue, name, .unchanged), url) }
        try await sqs.setQueueAttributes(queueURL: url, attributes: SQSQueueAttributes(additional: differing))
        return (ResourceChange(.queue, name, .updated, detail: differing.keys.sorted().joined(separator: ", ")), url)
    }

    func arn(_ url: String) async throws -> String {
        guard let arn = try await sqs.queueAttributes(queueURL: url, names: ["QueueArn"]).queueArn else {
            throw SQSError.malformedResponse(operation: "GetQueueAttributes", reason: "no QueueArn for \(url)")
        }
        return arn
    }

    /// Attribute values compare as text, except the redrive policy: JSON whose number SQS may
    /// send back as a string.
    static func same(_ key: String, _ wanted: String, _ actual: String?) -> Bool {
        guard let actual else { return false }
        guard key == "RedrivePolicy" else { return wanted == actual }
        func parts(_ text: String) -> (String, String)? {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let target = object["deadLetterTargetArn"] as? String, let count = object["maxReceiveCount"] else { return nil }
            return (target, "\(count)")
        }
        guard let lhs = parts(wanted), let rhs = parts(actual) else { return false }
        return lhs == rhs
    }
}
