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

/// One stored object as a listing or a head request describes it.
public struct StoredObjectInfo: Sendable, Equatable {
    public var key: String
    public var size: Int
    public var lastModified: Date?
    /// User metadata; names lower-cased (the only spelling that round-trips through S3).
    public var metadata: [String: String]

    public init(key: String, size: Int, lastModified: Date? = nil, metadata: [String: String] = [:]) {
        self.key = key
        self.size = size
        self.lastModified = lastModified
        self.metadata = metadata
    }
}

/// The seam between the tiers and object storage (S3 in production and against moto).
public protocol ObjectStore: Sendable {
    /// Reads a whole object, refusing one over `maxBytes` with `ObjectStoreError.tooLarge`;
    /// a missing object is `ObjectStoreError.notFound`; anything else is transient.
    func get(bucket: String, key: String, maxBytes: Int) async throws -> Data
    /// Writes an object (overwriting: equal keys give exactly one stored result).
    func put(bucket: String, key: String, body: Data, contentType: String, metadata: [String: String]) async throws
    /// Writes `bytes` as they are (intake's in-memory images, without a copy into `Data`).
    func put(bucket: String, key: String, bytes: [UInt8], contentType: String, metadata: [String: String]) async throws
    /// Writes the file at `file`, streamed rather than read into memory (intake's spooled images).
    func put(bucket: String, key: String, contentsOf file: URL, contentType: String, metadata: [String: String]) async throws
    /// The object's size, date and metadata without its body; a missing object is
    /// `ObjectStoreError.notFound`.
    func head(bucket: String, key: String) async throws -> StoredObjectInfo
    /// Removes an object; removing one that is not there is not an error.
    func delete(bucket: String, key: String) async throws
    /// The objects under `prefix` (sizes and dates; listings carry no metadata), all pages.
    func listObjects(bucket: String, prefix: String) async throws -> [StoredObjectInfo]
}

extension ObjectStore {
    /// Keys under `prefix`, all pages.
    public func list(bucket: String, prefix: String) async throws -> [String] {
        try await listObjects(bucket: bucket, prefix: prefix).map(\.key)
    }
}
