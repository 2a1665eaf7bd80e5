import Foundation

/// Pure functions from S3 operations to `AWSRequest`s (path-style addressing: `/bucket/key`,
/// which works for moto, custom endpoints and real S3 alike). No I/O; tested directly.
public enum S3RequestBuilder {
    /// `PUT /bucket`. Outside us-east-1 S3 requires a `LocationConstraint` naming the region
    /// (and rejects one that says us-east-1).
    public static func createBucket(_ bucket: String, region: String) throws -> AWSRequest {
        try validate(bucket: bucket)
        var request = AWSRequest(method: "PUT", path: "/\(bucket)")
        if region != "us-east-1" {
            var writer = XMLWriter()
            writer.element("CreateBucketConfiguration", namespace: "http://s3.amazonaws.com/doc/2006-03-01/") {
                $0.element("LocationConstraint", text: region)
            }
            request.headers["Content-Type"] = "application/xml"
            request.body = .data(Data(writer.output.utf8))
        }
        return request
    }

    /// `HEAD /bucket`.
    public static func headBucket(_ bucket: String) throws -> AWSRequest {
        try validate(bucket: bucket)
        return AWSRequest(method: "HEAD", path: "/\(bucket)")
    }

    /// `DELETE /bucket` (the bucket must be empty).
    public static func deleteBucket(_ bucket: String) throws -> AWSRequest {
        try validate(bucket: bucket)
        return AWSRequest(method: "DELETE", path: "/\(bucket)")
    }

    /// `PUT /bucket/key` with the body, content type and user metadata. With a `checksum`, the
    /// payload is sent as `UNSIGNED-PAYLOAD` and S3 verifies the (signed) checksum header instead
    /// (see `S3UploadIntegrity.crc32Checksum`).
    public static func putObject(bucket: String, key: String, body: AWSRequestBody, contentType: String?,
                                 metadata: [String: String], checksum: S3PayloadChecksum? = nil) throws -> AWSRequest {
        var request = try objectRequest("PUT", bucket: bucket, key: key)
        request.body = body
        if let checksum {
            request.payloadSigning = .unsigned
            // The algorithm header is what S3 (and moto) key the stored checksum on.
            request.headers["x-amz-sdk-checksum-algorithm"] = checksum.algorithm
            request.headers[checksum.headerName] = checksum.base64Value
        }
        if let contentType {
            try validateHeaderValue(contentType, what: "content type")
            request.headers["Content-Type"] = contentType
        }
        // Sorted so that the same call always produces the same request (and signature).
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
            try validateMetadata(name: name, value: value)
            request.headers.add(name: S3ResponseParser.metadataPrefix + name.lowercased(), value: value)
        }
        return request
    }

    /// `GET /bucket/key`, optionally a byte range (inclusive bounds, RFC 9110 §14.1.2).
    public static func getObject(bucket: String, key: String, range: ClosedRange<Int>? = nil) throws -> AWSRequest {
        var request = try objectRequest("GET", bucket: bucket, key: key)
        if let range { request.headers["Range"] = "bytes=\(range.lowerBound)-\(range.upperBound)" }
        return request
    }

    /// `HEAD /bucket/key`.
    public static func headObject(bucket: String, key: String) throws -> AWSRequest {
        try objectRequest("HEAD", bucket: bucket, key: key)
    }

    /// `DELETE /bucket/key` (succeeds also when the key does not exist).
    public static func deleteObject(bucket: String, key: String) throws -> AWSRequest {
        try objectRequest("DELETE", bucket: bucket, key: key)
    }

    /// `GET /bucket?list-type=2&…`: one page of ListObjectsV2.
    public static func listObjectsV2(bucket: String, prefix: String? = nil, delimiter: String? = nil,
                                     maxKeys: Int? = nil, continuationToken: String? = nil,
                                     startAfter: String? = nil) throws -> AWSRequest {
        try validate(bucket: bucket)
        var query: [(name: String, value: String)] = [("list-type", "2")]
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let maxKeys {
            guard (1...1000).contains(maxKeys) else {
                throw S3Error.invalidRequest(reason: "maxKeys must be 1...1000, got \(maxKeys)")
            }
            query.append(("max-keys", String(maxKeys)))
        }
        if let prefix { query.append(("prefix", prefix)) }
        if let startAfter { query.append(("start-after", startAfter)) }
        return AWSRequest(method: "GET", path: "/\(bucket)", query: query)
    }

    static func objectRequest(_ method: String, bucket: String, key: String) throws -> AWSRequest {
        try validate(bucket: bucket)
        try validate(key: key)
        return AWSRequest(method: method, path: "/\(bucket)/\(key)")
    }

    /// Bucket naming rules (3-63 characters of lower-case letters, digits, '.', '-'; starting and
    /// ending with a letter or digit). Checked here because a bad name otherwise changes the
    /// path's meaning (`a/b`) or fails far from its cause.
    public static func validate(bucket: String) throws {
        let bytes = Array(bucket.utf8)
        func isAlnum(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        guard (3...63).contains(bytes.count),
              bytes.allSatisfy({ isAlnum($0) || $0 == 0x2E || $0 == 0x2D }),
              let first = bytes.first, let last = bytes.last, isAlnum(first), isAlnum(last) else {
            throw S3Error.invalidBucketName(bucket)
        }
    }

    /// Object keys are 1-1024 bytes of UTF-8.
    public static func validate(key: String) throws {
        guard !key.isEmpty, key.utf8.count <= 1024 else {
            throw S3Error.invalidRequest(reason: "object key must be 1...1024 bytes of UTF-8, got \(key.utf8.count)")
        }
    }

    static func validateMetadata(name: String, value: String) throws {
        // The name becomes part of a header name: RFC 9110 token characters only.
        let tokenPunctuation = Set("!#$%&'*+-.^_`|~".utf8)
        guard !name.isEmpty, name.utf8.allSatisfy({
            (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || tokenPunctuation.contains($0)
        }) else {
            throw S3Error.invalidRequest(reason: "metadata name '\(name)' must be a non-empty HTTP token (letters, digits, -_.)")
        }
        try validateHeaderValue(value, what: "metadata value for '\(name)'")
    }

    /// Header values travel as ASCII without control characters; a CR or LF would split the header.
    static func validateHeaderValue(_ value: String, what: String) throws {
        guard value.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 }) else {
            throw S3Error.invalidRequest(reason: "\(what) must be printable ASCII (no CR/LF or non-ASCII)")
        }
    }
}
