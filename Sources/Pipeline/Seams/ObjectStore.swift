import Foundation

/// Failures of an object store that callers treat differently from transient ones.
public enum ObjectStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The object is not there: retrying will not help.
    case notFound(bucket: String, key: String)
    /// The object is larger than the caller agreed to read (checked before downloading it all).
    case tooLarge(bucket: String, key: String, limit: Int)

    public var description: String {
        switch self {
        case let .notFound(bucket, key): return "s3://\(bucket)/\(key) does not exist"
        case let .tooLarge(bucket, key, limit):
            return "s3://\(bucket)/\(key) is larger than the limit of \(limit) bytes"
        }
    }
}

/// The seam between the tiers and object storage (S3 in production and against moto).
public protocol ObjectStore: Sendable {
    /// Reads a whole object, refusing one over `maxBytes` with `ObjectStoreError.tooLarge`;
    /// a missing object is `ObjectStoreError.notFound`; anything else is transient.
    func get(bucket: String, key: String, maxBytes: Int) async throws -> Data
    /// Writes an object (overwriting: equal keys give exactly one stored result).
    func put(bucket: String, key: String, body: Data, contentType: String, metadata: [String: String]) async throws
    /// Keys under `prefix`, all pages.
    func list(bucket: String, prefix: String) async throws -> [String]
}
