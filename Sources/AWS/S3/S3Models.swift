import Foundation

/// What `HeadObject`/`GetObject` report about an object.
public struct S3ObjectAttributes: Sendable, Equatable {
    public var contentLength: Int
    public var contentType: String?
    public var eTag: String?
    public var lastModified: Date?
    /// User metadata (`x-amz-meta-*`) without the prefix. Keys are lower-cased: HTTP header names
    /// are case-insensitive and S3 (and moto) return them lower-cased, so that is the only
    /// spelling that round-trips.
    public var metadata: [String: String]

    public init(contentLength: Int, contentType: String? = nil, eTag: String? = nil,
                lastModified: Date? = nil, metadata: [String: String] = [:]) {
        self.contentLength = contentLength
        self.contentType = contentType
        self.eTag = eTag
        self.lastModified = lastModified
        self.metadata = metadata
    }
}

/// An object downloaded into memory.
public struct S3Object: Sendable {
    public var body: Data
    public var attributes: S3ObjectAttributes
}

/// One entry of a `ListObjectsV2` page.
public struct S3ObjectSummary: Sendable, Equatable {
    public var key: String
    public var size: Int
    public var eTag: String?
    public var lastModified: Date?
}

/// One page of `ListObjectsV2`.
public struct S3ListPage: Sendable, Equatable {
    public var objects: [S3ObjectSummary]
    /// Common prefixes when a delimiter was given ("folders").
    public var commonPrefixes: [String]
    /// Present when `isTruncated`: pass it back to get the next page.
    public var nextContinuationToken: String?
    public var isTruncated: Bool
}

/// What `PutObject` reports.
public struct S3PutResult: Sendable, Equatable {
    public var eTag: String?
}
