import Foundation

/// Why a queue message could not be read. A worker logs it and leaves the message for the
/// dead-letter queue; it never guesses at a job.
public enum MessageDecodingError: Error, Equatable, CustomStringConvertible {
    case notJSON(reason: String)
    case missingOrInvalidField(String)
    case unsupportedVersion(Int)

    public var description: String {
        switch self {
        case let .notJSON(reason): return "message body is not a JSON job: \(reason)"
        case let .missingOrInvalidField(field): return "job message field '\(field)' is missing or has the wrong type"
        case let .unsupportedVersion(version):
            return "job message version \(version) is not supported (this build reads version \(JobMessage.currentVersion))"
        }
    }
}

/// JSON encoding and decoding of the queue messages, shared by both tiers so the wire format has
/// one definition. Keys are sorted so equal messages have equal bodies (useful for FIFO dedup).
public enum MessageCodec {
    public static func encode<Message: Encodable>(_ message: Message) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Our message types contain only strings and numbers: encoding cannot fail.
        let data = (try? encoder.encode(message)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    public static func decodeJob(_ body: String) throws(MessageDecodingError) -> JobMessage {
        let job: JobMessage = try decode(body)
        guard job.v == JobMessage.currentVersion else { throw .unsupportedVersion(job.v) }
        for (name, value) in [("jobId", job.jobId), ("imageId", job.imageId), ("bucket", job.bucket), ("key", job.key)]
        where value.isEmpty {
            throw .missingOrInvalidField(name)
        }
        return job
    }

    public static func decodeResult(_ body: String) throws(MessageDecodingError) -> ResultMessage {
        let result: ResultMessage = try decode(body)
        guard result.v == JobMessage.currentVersion else { throw .unsupportedVersion(result.v) }
        guard !result.imageId.isEmpty else { throw .missingOrInvalidField("imageId") }
        return result
    }

    private static func decode<Message: Decodable>(_ body: String) throws(MessageDecodingError) -> Message {
        do {
            return try JSONDecoder().decode(Message.self, from: Data(body.utf8))
        } catch let DecodingError.keyNotFound(key, _) {
            throw .missingOrInvalidField(key.stringValue)
        } catch let DecodingError.typeMismatch(_, context) {
            throw .missingOrInvalidField(context.codingPath.last?.stringValue ?? "?")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .missingOrInvalidField(context.codingPath.last?.stringValue ?? "?")
        } catch {
            throw .notJSON(reason: "\(error)")
        }
    }
}
