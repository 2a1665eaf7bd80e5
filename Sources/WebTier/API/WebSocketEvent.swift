import Foundation

/// A message the web tier sends over a WebSocket, as one JSON object whose `type` names the kind
/// and whose other keys are the payload's own (flat, so a page reads `event.label`, not
/// `event.payload.label`):
/// - `snapshot`: sent first on `/ws?job=ID`, the job so far (a `JobStatus`);
/// - `result`: one image's outcome (an `ImageResult`);
/// - `fleet`: on `/ws/fleet`, one control tick (a `FleetSnapshot`);
/// - `error`: the socket cannot serve the request (a `EventError`), sent before closing it.
public enum WebSocketEvent: Codable, Sendable, Equatable {
    case snapshot(JobStatus)
    case result(ImageResult)
    case fleet(FleetSnapshot)
    case error(EventError)

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case snapshot, result, fleet, error
    }

    public var kind: Kind {
        switch self {
        case .snapshot: return .snapshot
        case .result: return .result
        case .fleet: return .fleet
        case .error: return .error
        }
    }

    private enum TypeKey: String, CodingKey { case type }

    public func encode(to encoder: any Encoder) throws {
        // The payload writes its keys into the same object as `type` (JSONEncoder merges keyed
        // containers requested twice at one level).
        var container = encoder.container(keyedBy: TypeKey.self)
        try container.encode(kind, forKey: .type)
        switch self {
        case let .snapshot(status): try status.encode(to: encoder)
        case let .result(result): try result.encode(to: encoder)
        case let .fleet(snapshot): try snapshot.encode(to: encoder)
        case let .error(error): try error.encode(to: encoder)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: TypeKey.self)
        let name = try container.decode(String.self, forKey: .type)
        guard let kind = Kind(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "unknown event type '\(name)' (known: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        switch kind {
        case .snapshot: self = .snapshot(try JobStatus(from: decoder))
        case .result: self = .result(try ImageResult(from: decoder))
        case .fleet: self = .fleet(try FleetSnapshot(from: decoder))
        case .error: self = .error(try EventError(from: decoder))
        }
    }
}

/// Why a WebSocket cannot serve its request. Per-image failures are not these: they are `result`
/// events with an `error`.
public struct EventError: Codable, Sendable, Equatable {
    public var code: Code
    public var message: String

    public enum Code: String, Codable, Sendable, CaseIterable {
        /// No such job (never accepted, or expired and not in S3).
        case unknownJob
        /// The request was malformed (missing or invalid `job` parameter).
        case badRequest
        /// The client read too slowly and fell too far behind; reconnect and resume from a snapshot.
        case slowConsumer
        /// The web tier is shutting down; reconnect to resume.
        case shuttingDown
    }

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }
}
