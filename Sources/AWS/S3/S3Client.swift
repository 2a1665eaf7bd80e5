import Foundation

/// An S3 client: buckets, objects, listings and presigned GET URLs, with path-style addressing.
///
/// Every failure is an `S3Error` naming the bucket and key (or an `AWSTransportError` /
/// `AWSCredentialsError` from the core when no response arrived).
public struct S3Client: Sendable {
    public let core: AWSServiceClient

    public init(configuration: AWSClientConfiguration, transport: CurlTransport? = nil) {
        core = AWSServiceClient(service: .s3, configuration: configuration, errorDecoder: XMLErrorDecoder(),
                                transport: transport)
    }

    // MARK: Buckets

    /// Creates `bucket` in the configured region. A bucket we already own counts as success
    /// (`BucketAlreadyOwnedByYou`), so start-up code can call this unconditionally; a name taken
    /// by someone else throws `.bucketAlreadyExists`.
    public func createBucket(_ bucket: String) async throws {
        let request = try S3RequestBuilder.createBucket(bucket, region: core.configuration.region)
        do {
            _ = try await perform(request, bucket: bucket, key: nil)
        } catch S3Error.other(code: "BucketAlreadyOwnedByYou", _, _, _) {
            return
        }
    }

    /// Succeeds when the bucket exists and is reachable; throws `.noSuchBucket` or `.accessDenied`.
    public func headBucket(_ bucket: String) async throws {
        _ = try await perform(try S3RequestBuilder.headBucket(bucket), bucket: bucket, key: nil)
    }

    /// Deletes an empty bucket.
    public func deleteBucket(_ bucket: String) async throws {
        _ = try await perform(try S3RequestBuilder.deleteBucket(bucket), bucket: bucket, key: nil)
    }

    // MARK: Objects

    /// Stores `body` at `key`. Metadata names are sent (and come back) lower-cased.
    @discardableResult
    public func putObject(bucket: String, key: String, body: Data, contentType: String? = nil,
                          metadata: [String: String] = [:], integrity: S3UploadIntegrity = .signedSHA256) async throws -> S3PutResult {
        try await putObject(bucket: bucket, key: key, requestBody: .data(body), contentType: contentType,
                            metadata: metadata, integrity: integrity)
    }

    /// Stores `bytes` at `key` (sent from the array as it is, without a copy).
    @discardableResult
    public func putObject(bucket: String, key: String, bytes: [UInt8], contentType: String? = nil,
                          metadata: [String: String] = [:], integrity: S3UploadIntegrity = .signedSHA256) async throws -> S3PutResult {
        try await putObject(bucket: bucket, key: key, requestBody: .bytes(bytes), contentType: contentType,
                            metadata: metadata, integrity: integrity)
    }

    /// Stores the file at `file` (streamed by the transport, not loaded into memory).
    @discardableResult
    public func putObject(bucket: String, key: String, contentsOf file: URL, contentType: String? = nil,
                          metadata: [String: String] = [:], integrity: S3UploadIntegrity = .signedSHA256) async throws -> S3PutResult {
        try await putObject(bucket: bucket, key: key, requestBody: .file(file), contentType: contentType,
                            metadata: metadata, integrity: integrity)
    }

    private func putObject(bucket: String, key: String, requestBody: AWSRequestBody, contentType: String?,
                           metadata: [String: String], integrity: S3UploadIntegrity) async throws -> S3PutResult {
        let checksum = try S3PayloadChecksum.forUpload(requestBody, integrity.effective(for: core.endpoint))
        let request = try S3RequestBuilder.putObject(bucket: bucket, key: key, body: requestBody, contentType: contentType,
                                                     metadata: metadata, checksum: checksum)
        let response = try await perform(request, bucket: bucket, key: key)
        return S3PutResult(eTag: response.headers["ETag"])
    }

    /// Downloads the object into memory.
    public func getObject(bucket: String, key: String, range: ClosedRange<Int>? = nil) async throws -> S3Object {
        let request = try S3RequestBuilder.getObject(bucket: bucket, key: key, range: range)
        let response = try await perform(request, bucket: bucket, key: key)
        var attributes = S3ResponseParser.objectAttributes(from: response.headers)
        if response.headers["Content-Length"] == nil { attributes.contentLength = response.body.count }
        return S3Object(body: response.body, attributes: attributes)
    }

    /// Downloads the object into `file` (created or replaced) and returns its attributes.
    @discardableResult
    public func getObject(bucket: String, key: String, to file: URL) async throws -> S3ObjectAttributes {
        let request = try S3RequestBuilder.getObject(bucket: bucket, key: key)
        let response = try await perform(request, bucket: bucket, key: key, downloadTo: file)
        return S3ResponseParser.objectAttributes(from: response.headers)
    }

    /// The object's size, type, ETag and metadata, without its body.
    public func headObject(bucket: String, key: String) async throws -> S3ObjectAttributes {
        let response = try await perform(try S3RequestBuilder.headObject(bucket: bucket, key: key), bucket: bucket, key: key)
        return S3ResponseParser.objectAttributes(from: response.headers)
    }

    /// Deletes the object; deleting a missing key succeeds (S3 semantics).
    public func deleteObject(bucket: String, key: String) async throws {
        _ = try await perform(try S3RequestBuilder.deleteObject(bucket: bucket, key: key), bucket: bucket, key: key)
    }

    // MARK: Listing

    /// One page of `ListObjectsV2`; pass the previous page's `nextContinuationToken` for the next.
    public func listObjectsV2(bucket: String, prefix: String? = nil, delimiter: String? = nil, maxKeys: Int? = nil,
                              continuationToken: String? = nil) async throws -> S3ListPage {
        let request = try S3RequestBuilder.listObjectsV2(bucket: bucket, prefix: prefix, delimiter: delimiter,
                                                         maxKeys: maxKeys, continuationToken: continuationToken)
        let response = try await perform(request, bucket: bucket, key: nil)
        return try S3ResponseParser.listPage(from: response.body)
    }

    /// Every page of a listing, fetched lazily as the sequence is iterated.
    public func listObjectsV2Pages(bucket: String, prefix: String? = nil, delimiter: String? = nil,
                                   maxKeys: Int? = nil) -> S3ListObjectsPages {
        S3ListObjectsPages(client: self, bucket: bucket, prefix: prefix, delimiter: delimiter, maxKeys: maxKeys)
    }

    /// Every object under `prefix`, following continuation tokens to the end.
    public func listAllObjects(bucket: String, prefix: String? = nil) async throws -> [S3ObjectSummary] {
        var objects: [S3ObjectSummary] = []
        for try await page in listObjectsV2Pages(bucket: bucket, prefix: prefix) { objects += page.objects }
        return objects
    }

    // MARK: Presigning

    /// A URL that GETs the object without credentials until it expires (at most 7 days).
    public func presignedGetURL(bucket: String, key: String, expires: Duration = .seconds(3600),
                                date: Date = Date()) async throws -> URL {
        try await core.presignedURL(for: try S3RequestBuilder.getObject(bucket: bucket, key: key), expires: expires, date: date)
    }

    // MARK: Plumbing

    /// Sends through the core and turns service errors into `S3Error`s with bucket/key context.
    func perform(_ request: AWSRequest, bucket: String?, key: String?, downloadTo file: URL? = nil) async throws -> AWSResponse {
        do {
            return try await core.send(request, downloadTo: file)
        } catch let error as AWSServiceError {
            // HEAD responses carry no body, so any code is the core's guess from the status;
            // S3's meaning (no such key vs. no such bucket) comes from what was asked for.
            let bodiless = request.method == "HEAD"
            throw S3Error.from(code: bodiless || error.code.isEmpty ? nil : error.code,
                               message: bodiless || error.message.isEmpty ? nil : error.message,
                               status: error.statusCode, requestID: error.requestID, bucket: bucket, key: key)
        }
    }
}

/// The pages of a `ListObjectsV2` listing, fetched one request per `next()`.
public struct S3ListObjectsPages: AsyncSequence, Sendable {
    public typealias Element = S3ListPage
    let client: S3Client
    let bucket: String
    let prefix: String?
    let delimiter: String?
    let maxKeys: Int?

    public struct AsyncIterator: AsyncIteratorProtocol {
        let pages: S3ListObjectsPages
        var token: String?
        var finished = false

        public mutating func next() async throws -> S3ListPage? {
            guard !finished else { return nil }
            let page = try await pages.client.listObjectsV2(bucket: pages.bucket, prefix: pages.prefix,
                                                            delimiter: pages.delimiter, maxKeys: pages.maxKeys,
                                                            continuationToken: token)
            token = page.nextContinuationToken
            finished = !page.isTruncated
            return page
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pages: self) }
}
