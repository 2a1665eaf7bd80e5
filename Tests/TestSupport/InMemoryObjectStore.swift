import Foundation
import Pipeline
import Synchronization

/// An `ObjectStore` in memory, for fast tests of the code above the seam (the moto tests prove
/// `S3ObjectStore` on the wire). Buckets exist on first write; metadata names are lower-cased,
/// as S3 returns them.
public final class InMemoryObjectStore: ObjectStore {
    public struct Object: Sendable, Equatable {
        public var body: Data
        public var contentType: String
        public var metadata: [String: String]
        public var lastModified: Date
    }

    private let objects = Mutex<[String: [String: Object]]>([:])

    public init() {}

    /// The object at `bucket`/`key`, for assertions.
    public func object(bucket: String, key: String) -> Object? {
        objects.withLock { $0[bucket]?[key] }
    }

    /// Every key of `bucket`, sorted.
    public func keys(bucket: String) -> [String] {
        objects.withLock { ($0[bucket] ?? [:]).keys.sorted() }
    }

    public func get(bucket: String, key: String, maxBytes: Int) async throws -> Data {
        guard let object = object(bucket: bucket, key: key) else { throw ObjectStoreError.notFound(bucket: bucket, key: key) }
        guard object.body.count <= maxBytes else { throw ObjectStoreError.tooLarge(bucket: bucket, key: key, limit: maxBytes) }
        return object.body
    }

    public func put(bucket: String, key: String, body: Data, contentType: String, metadata: [String: String]) async throws {
        let stored = Object(body: body, contentType: contentType,
                            metadata: Dictionary(metadata.map { ($0.key.lowercased(), $0.value) }) { _, last in last },
                            lastModified: Date())
        objects.withLock { $0[bucket, default: [:]][key] = stored }
    }

    public func put(bucket: String, key: String, bytes: [UInt8], contentType: String, metadata: [String: String]) async throws {
        try await put(bucket: bucket, key: key, body: Data(bytes), contentType: contentType, metadata: metadata)
    }

    public func put(bucket: String, key: String, contentsOf file: URL, contentType: String,
                    metadata: [String: String]) async throws {
        try await put(bucket: bucket, key: key, body: try Data(contentsOf: file), contentType: contentType, metadata: metadata)
    }

    public func head(bucket: String, key: String) async throws -> StoredObjectInfo {
        guard let object = object(bucket: bucket, key: key) else { throw ObjectStoreError.notFound(bucket: bucket, key: key) }
        return StoredObjectInfo(key: key, size: object.body.count, lastModified: object.lastModified, metadata: object.metadata)
    }

    public func delete(bucket: String, key: String) async throws {
        _ = objects.withLock { $0[bucket]?.removeValue(forKey: key) }
    }

    public func listObjects(bucket: String, prefix: String) async throws -> [StoredObjectInfo] {
        objects.withLock { buckets in
            (buckets[bucket] ?? [:]).filter { $0.key.hasPrefix(prefix) }.sorted { $0.key < $1.key }.map {
                StoredObjectInfo(key: $0.key, size: $0.value.body.count, lastModified: $0.value.lastModified)
            }
        }
    }
}
