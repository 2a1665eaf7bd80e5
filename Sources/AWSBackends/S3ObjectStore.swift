import AWS
import Foundation
import Pipeline

/// `ObjectStore` on S3, through our own S3 client.
public struct S3ObjectStore: ObjectStore {
    public let client: S3Client
    /// How uploads prove their body to S3 (see `S3UploadIntegrity`).
    public let integrity: S3UploadIntegrity

    public init(client: S3Client, integrity: S3UploadIntegrity = .signedSHA256) {
        self.client = client
        self.integrity = integrity
    }

    public func get(bucket: String, key: String, maxBytes: Int) async throws -> Data {
        do {
            // Ask for one byte more than allowed: getting it proves the object is too large
            // without downloading a hostile multi-gigabyte object into memory.
            let object = try await client.getObject(bucket: bucket, key: key, range: 0...maxBytes)
            if object.body.count > maxBytes {
                throw ObjectStoreError.tooLarge(bucket: bucket, key: key, limit: maxBytes)
            }
            return object.body
        } catch S3Error.noSuchKey {
            throw ObjectStoreError.notFound(bucket: bucket, key: key)
        } catch let S3Error.other(code, _, status, _) where code == "InvalidRange" || status == 416 {
            // A range request on an empty object is "unsatisfiable": the object has zero bytes.
            return Data()
        }
    }

    public func put(bucket: String, key: String, body: Data, contentType: String, metadata: [String: String]) async throws {
        _ = try await client.putObject(bucket: bucket, key: key, body: body, contentType: contentType, metadata: metadata,
                                       integrity: integrity)
    }

    public func put(bucket: String, key: String, bytes: [UInt8], contentType: String, metadata: [String: String]) async throws {
        _ = try await client.putObject(bucket: bucket, key: key, bytes: bytes, contentType: contentType, metadata: metadata,
                                       integrity: integrity)
    }

    public func put(bucket: String, key: String, contentsOf file: URL, contentType: String,
                    metadata: [String: String]) async throws {
        _ = try await client.putObject(bucket: bucket, key: key, contentsOf: file, contentType: contentType,
                                       metadata: metadata, integrity: integrity)
    }

    public func head(bucket: String, key: String) async throws -> StoredObjectInfo {
        do {
            let attributes = try await client.headObject(bucket: bucket, key: key)
            return StoredObjectInfo(key: key, size: attributes.contentLength, lastModified: attributes.lastModified,
                                    metadata: attributes.metadata)
        } catch S3Error.noSuchKey {
            throw ObjectStoreError.notFound(bucket: bucket, key: key)
        }
    }

    public func delete(bucket: String, key: String) async throws {
        try await client.deleteObject(bucket: bucket, key: key)
    }

    public func listObjects(bucket: String, prefix: String) async throws -> [StoredObjectInfo] {
        try await client.listAllObjects(bucket: bucket, prefix: prefix).map {
            StoredObjectInfo(key: $0.key, size: $0.size, lastModified: $0.lastModified)
        }
    }
}
