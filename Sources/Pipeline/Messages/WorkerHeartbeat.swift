import Foundation

/// A worker's periodic "still here" on the response queue, beside its results. The web tier's
/// controller terminates instances whose worker never sent one, or stopped: a worker that cannot
/// start (a missing queue, a broken model) or is wedged would otherwise bill for ever.
///
/// On the response queue because the app tier may already send there; it needs no further
/// permission (tagging its own instance would need `ec2:CreateTags`, which least privilege denies).
public struct WorkerHeartbeat: Codable, Sendable, Equatable {
    public var v: Int
    /// Always `heartbeat`: what tells it apart from a result on the same queue.
    public var kind: String
    /// The worker's name as results give it: the EC2 instance id, or `local-<pid>`.
    public var worker: String
    /// When it was sent, in milliseconds since 1970 (for logs; receipt time is what counts).
    public var sentAt: Int64

    public static let kindValue = "heartbeat"

    public init(worker: String, sentAt: Int64) {
        v = JobMessage.currentVersion
        kind = Self.kindValue
        self.worker = worker
        self.sentAt = sentAt
    }
}

/// What a response-queue message carries.
public enum ResponseMessage: Sendable, Equatable {
    case result(ResultMessage)
    case heartbeat(WorkerHeartbeat)
}

extension MessageCodec {
    /// Reads a response-queue message: a heartbeat (`"kind": "heartbeat"`) or a result.
    public static func decodeResponse(_ body: String) throws(MessageDecodingError) -> ResponseMessage {
        struct Kind: Decodable { var kind: String? }
        if let kind = try? JSONDecoder().decode(Kind.self, from: Data(body.utf8)).kind, kind == WorkerHeartbeat.kindValue {
            let heartbeat: WorkerHeartbeat
            do {
                heartbeat = try JSONDecoder().decode(WorkerHeartbeat.self, from: Data(body.utf8))
            } catch {
                throw .missingOrInvalidField("worker")
            }
            guard heartbeat.v == JobMessage.currentVersion else { throw .unsupportedVersion(heartbeat.v) }
            guard !heartbeat.worker.isEmpty else { throw .missingOrInvalidField("worker") }
            return .heartbeat(heartbeat)
        }
        return .result(try decodeResult(body))
    }
}
