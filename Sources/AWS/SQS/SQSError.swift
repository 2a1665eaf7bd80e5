import Foundation

/// What went wrong with an SQS call.
public enum SQSError: Error, Equatable, CustomStringConvertible {
    /// The queue does not exist (or was deleted): create it, or check the name, URL and region.
    case queueDoesNotExist(queue: String)
    /// A queue of that name exists with different attributes.
    case queueNameExists(queue: String, message: String?)
    /// The receipt handle is malformed or from another queue.
    case receiptHandleIsInvalid(message: String?)
    /// The message is not currently received (its visibility timeout ran out).
    case messageNotInflight(message: String?)
    /// Two entries in one batch share an id.
    case batchEntryIdsNotDistinct(message: String?)
    /// More than 10 entries in one batch.
    case tooManyEntriesInBatchRequest(message: String?)
    /// A batch with no entries.
    case emptyBatchRequest
    /// A purge was requested within 60 s of the previous one.
    case purgeQueueInProgress(queue: String)
    /// A parameter or attribute value was rejected; the message says which.
    case invalidParameter(code: String, message: String?)
    /// The signature did not verify: wrong secret key, or a clock problem.
    case signatureDoesNotMatch(message: String?)
    /// The access key id is unknown.
    case invalidClientToken(message: String?)
    /// The credentials may not do this.
    case accessDenied(message: String?)
    /// Any other service error, kept whole.
    case other(code: String, message: String?, status: Int, requestID: String?)
    /// Refused before sending (e.g. a batch of more than 10 entries).
    case invalidRequest(reason: String)
    /// A 2xx response the client could not understand.
    case malformedResponse(operation: String, reason: String)
    /// The MD5 SQS reported for a message body is not the body's: it was altered in transit.
    case checksumMismatch(operation: String, messageId: String?, expected: String, reported: String)

    public var description: String {
        switch self {
        case let .queueDoesNotExist(queue): return "SQS queue '\(queue)' does not exist; create it or check the name/URL and region"
        case let .queueNameExists(queue, message): return "SQS queue '\(queue)' exists with different attributes: \(message ?? "")"
        case let .receiptHandleIsInvalid(message): return "SQS receipt handle is invalid: \(message ?? "")"
        case let .messageNotInflight(message): return "SQS message is no longer in flight (visibility timeout passed): \(message ?? "")"
        case let .batchEntryIdsNotDistinct(message): return "SQS batch entry ids must be distinct: \(message ?? "")"
        case let .tooManyEntriesInBatchRequest(message): return "SQS batches hold at most 10 entries: \(message ?? "")"
        case .emptyBatchRequest: return "SQS batch has no entries"
        case let .purgeQueueInProgress(queue): return "SQS queue '\(queue)' was purged less than 60 s ago; wait and retry"
        case let .invalidParameter(code, message): return "SQS rejected a parameter (\(code)): \(message ?? "")"
        case let .signatureDoesNotMatch(message): return "SQS rejected the request signature (check the secret key): \(message ?? "")"
        case let .invalidClientToken(message): return "SQS does not know this access key id: \(message ?? "")"
        case let .accessDenied(message): return "SQS access denied: \(message ?? "check the IAM policy")"
        case let .other(code, message, status, requestID):
            return "SQS error \(code) (HTTP \(status)): \(message ?? "")\(requestID.map { " [request \($0)]" } ?? "")"
        case let .invalidRequest(reason): return "invalid SQS request: \(reason)"
        case let .malformedResponse(operation, reason): return "unreadable SQS \(operation) response: \(reason)"
        case let .checksumMismatch(operation, messageId, expected, reported):
            return "SQS \(operation): body MD5 \(reported) reported for message \(messageId ?? "?") but the body hashes to \(expected); "
                + "the message was altered in transit (proxy or encoding problem)"
        }
    }

    /// Maps a service error to a typed error. Accepts both the JSON protocol's short codes
    /// (`QueueDoesNotExist`) and the Query protocol's (`AWS.SimpleQueueService.NonExistentQueue`).
    public static func from(code: String, message: String?, status: Int, requestID: String?, queue: String?) -> SQSError {
        let short = code.hasPrefix("AWS.SimpleQueueService.") ? String(code.dropFirst("AWS.SimpleQueueService.".count)) : code
        switch short {
        case "QueueDoesNotExist", "NonExistentQueue": return .queueDoesNotExist(queue: queue ?? "")
        case "QueueNameExists", "QueueAlreadyExists": return .queueNameExists(queue: queue ?? "", message: message)
        case "ReceiptHandleIsInvalid", "InvalidReceiptHandle": return .receiptHandleIsInvalid(message: message)
        case "MessageNotInflight": return .messageNotInflight(message: message)
        case "BatchEntryIdsNotDistinct": return .batchEntryIdsNotDistinct(message: message)
        case "TooManyEntriesInBatchRequest": return .tooManyEntriesInBatchRequest(message: message)
        case "EmptyBatchRequest": return .emptyBatchRequest
        case "PurgeQueueInProgress": return .purgeQueueInProgress(queue: queue ?? "")
        case "InvalidParameterValue", "InvalidAttributeName", "InvalidAttributeValue", "InvalidBatchEntryId",
             "MissingParameter", "InvalidMessageContents", "BatchRequestTooLong", "InvalidParameterCombination":
            return .invalidParameter(code: short, message: message)
        case "SignatureDoesNotMatch", "IncompleteSignature": return .signatureDoesNotMatch(message: message)
        case "InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId": return .invalidClientToken(message: message)
        case "AccessDenied", "AccessDeniedException": return .accessDenied(message: message)
        default: return .other(code: code, message: message, status: status, requestID: requestID)
        }
    }
}

/// Decodes SQS error bodies: the JSON protocol's `{"__type": "com.amazonaws.sqs#Code",
/// "message": …}`, and the XML `<ErrorResponse>` that SQS (and moto) send for authentication
/// failures even on the JSON protocol.
public struct SQSErrorDecoder: AWSErrorDecoder {
    public init() {}

    public func decodeError(status: Int, headers: AWSHeaders, body: Data) -> AWSErrorDetails? {
        let requestID = headers["x-amzn-RequestId"]
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            let type = (object["__type"] as? String) ?? (object["code"] as? String) ?? headers["X-Amzn-ErrorType"] ?? ""
            // `__type` may be "com.amazonaws.sqs#QueueDoesNotExist" or carry a ":"-suffix (X-Amzn-ErrorType).
            var code = type.split(separator: "#").last.map(String.init) ?? type
            if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
            guard !code.isEmpty else { return nil }
            let message = (object["message"] as? String) ?? (object["Message"] as? String) ?? ""
            return AWSErrorDetails(code: code, message: message, requestID: requestID)
        }
        if var details = XMLErrorDecoder().decodeError(status: status, headers: headers, body: body) {
            details.requestID = details.requestID ?? requestID
            return details
        }
        return nil
    }
}
