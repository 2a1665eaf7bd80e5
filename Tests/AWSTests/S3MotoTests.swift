import AWS
import Foundation
import Testing
import TestSupport

/// S3 against a real moto server over HTTP (path-style).
@Suite("S3 against moto")
struct S3MotoTests {
    let server: MotoServer
    let s3: S3Client

    init() async throws {
        server = try await MotoServer.shared()
        s3 = S3Client(configuration: server.configuration())
    }

    func newBucket() async throws -> String {
        let bucket = MotoNames.unique("s3t")
        try await s3.createBucket(bucket)
        return bucket
    }

    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        var data = Data(count: count)
        data.withUnsafeMutableBytes { raw in
            var index = 0
            while index < count {
                var word = generator.next()
                let chunk = min(8, count - index)
                withUnsafeBytes(of: &word) { raw.baseAddress!.advanced(by: index).copyMemory(from: $0.baseAddress!, byteCount: chunk) }
                index += chunk
            }
        }
        return data
    }

    @Test("objects of 0 B, 1 B and 5 MB round-trip with content type and metadata",
          arguments: [0, 1, 5 * 1024 * 1024])
    func roundTrip(size: Int) async throws {
        let bucket = try await newBucket()
        let body = Self.randomBytes(size)
        let key = "in/\(size)-bytes.bin"
        try await s3.putObject(bucket: bucket, key: key, body: body, contentType: "application/x-test",
                               metadata: ["Job-Id": "job-\(size)", "source": "test"])
        let head = try await s3.headObject(bucket: bucket, key: key)
        #expect(head.contentLength == size)
        #expect(head.contentType == "application/x-test")
        // moto (like S3) returns metadata names lower-cased.
        #expect(head.metadata == ["job-id": "job-\(size)", "source": "test"])
        let object = try await s3.getObject(bucket: bucket, key: key)
        #expect(object.body == body)
        #expect(object.attributes.metadata["job-id"] == "job-\(size)")
    }

    @Test("keys with spaces, unicode and reserved characters round-trip (path encoded once by the core)",
          arguments: ["a b.txt", "ünïcödé/φωτο.jpg", "x+y=z&w.txt", "deep/nested//path.txt", "tilde~and-dash_.txt"])
    func awkwardKeys(key: String) async throws {
        let bucket = try await newBucket()
        try await s3.putObject(bucket: bucket, key: key, body: Data(key.utf8))
        #expect(try await s3.getObject(bucket: bucket, key: key).body == Data(key.utf8))
        #expect(try await s3.listAllObjects(bucket: bucket).map(\.key) == [key])
    }

    @Test("PutObject from a file and GetObject to a file move the bytes intact")
    func fileTransfer() async throws {
        let bucket = try await newBucket()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(MotoNames.unique("s3files"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("upload.bin")
        let body = Self.randomBytes(3 * 1024 * 1024 + 17)
        try body.write(to: source)

        try await s3.putObject(bucket: bucket, key: "file.bin", contentsOf: source, contentType: "application/octet-stream",
                               metadata: ["origin": "file"])
        let target = directory.appendingPathComponent("download.bin")
        let attributes = try await s3.getObject(bucket: bucket, key: "file.bin", to: target)
        #expect(attributes.metadata["origin"] == "file")
        #expect(try Data(contentsOf: target) == body)
    }

    @Test("file transfers fail clearly: a missing upload file, a missing key downloaded to a file")
    func fileTransferFailures() async throws {
        let bucket = try await newBucket()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(MotoNames.unique("s3fail"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try await s3.putObject(bucket: bucket, key: "k", contentsOf: directory.appendingPathComponent("absent.bin"))
            Issue.record("an upload from a missing file succeeded")
        } catch let error as AWSTransportError {
            #expect(error.kind == .file)
        }
        await #expect(throws: S3Error.noSuchKey(bucket: bucket, key: "k")) { try await s3.headObject(bucket: bucket, key: "k") }

        // The error body stays in memory: no file pretends to be the object.
        let target = directory.appendingPathComponent("download.bin")
        await #expect(throws: S3Error.noSuchKey(bucket: bucket, key: "absent")) {
            try await s3.getObject(bucket: bucket, key: "absent", to: target)
        }
        #expect((try? Data(contentsOf: target))?.isEmpty ?? true)
    }

    @Test("a missing key or bucket is a typed error naming it (GET with a body, HEAD without)")
    func typedNotFound() async throws {
        let bucket = try await newBucket()
        await #expect(throws: S3Error.noSuchKey(bucket: bucket, key: "missing.jpg")) {
            try await s3.getObject(bucket: bucket, key: "missing.jpg")
        }
        await #expect(throws: S3Error.noSuchKey(bucket: bucket, key: "missing.jpg")) {
            try await s3.headObject(bucket: bucket, key: "missing.jpg")
        }
        let absent = MotoNames.unique("absent")
        await #expect(throws: S3Error.noSuchBucket(bucket: absent)) { try await s3.headBucket(absent) }
        await #expect(throws: S3Error.noSuchBucket(bucket: absent)) {
            try await s3.putObject(bucket: absent, key: "k", body: Data("x".utf8))
        }
    }

    @Test("creating a bucket we already own succeeds; HEAD and DELETE work on it")
    func bucketLifecycle() async throws {
        let bucket = try await newBucket()
        try await s3.createBucket(bucket)
        try await s3.headBucket(bucket)
        try await s3.putObject(bucket: bucket, key: "k", body: Data("x".utf8))
        await #expect(throws: S3Error.bucketNotEmpty(bucket: bucket)) { try await s3.deleteBucket(bucket) }
        try await s3.deleteObject(bucket: bucket, key: "k")
        try await s3.deleteObject(bucket: bucket, key: "k")  // deleting a missing key succeeds
        try await s3.deleteBucket(bucket)
        await #expect(throws: S3Error.noSuchBucket(bucket: bucket)) { try await s3.headBucket(bucket) }
    }

    @Test("a bucket outside us-east-1 is created with its LocationConstraint")
    func otherRegion() async throws {
        let regional = S3Client(configuration: server.configuration(region: "eu-west-1"))
        let bucket = MotoNames.unique("s3eu")
        try await regional.createBucket(bucket)
        // Outside us-east-1 a second create answers BucketAlreadyOwnedByYou: still success.
        try await regional.createBucket(bucket)
        try await regional.headBucket(bucket)
        try await regional.putObject(bucket: bucket, key: "k", body: Data("eu".utf8))
        #expect(try await regional.getObject(bucket: bucket, key: "k").body == Data("eu".utf8))
    }

    @Test("Range GET returns the asked bytes; a range past the end is cut to the object; an empty object's range is InvalidRange")
    func rangeGet() async throws {
        let bucket = try await newBucket()
        let body = Self.randomBytes(1000)
        try await s3.putObject(bucket: bucket, key: "r", body: body)
        #expect(try await s3.getObject(bucket: bucket, key: "r", range: 10...19).body == body[10...19])
        #expect(try await s3.getObject(bucket: bucket, key: "r", range: 0...5000).body == body)
        try await s3.putObject(bucket: bucket, key: "empty", body: Data())
        do {
            _ = try await s3.getObject(bucket: bucket, key: "empty", range: 0...10)
            Issue.record("a range on an empty object was satisfied")
        } catch let S3Error.other(code, _, status, _) {
            #expect(code == "InvalidRange" && status == 416)
        }
    }

    @Test("listing an empty bucket gives one empty, untruncated page")
    func emptyListing() async throws {
        let bucket = try await newBucket()
        var pages: [S3ListPage] = []
        for try await page in s3.listObjectsV2Pages(bucket: bucket) { pages.append(page) }
        #expect(pages.count == 1)
        #expect(pages.first?.objects.isEmpty == true && pages.first?.isTruncated == false)
    }

    @Test("ListObjectsV2 over more than 1000 keys follows continuation tokens to every key")
    func pagination() async throws {
        let bucket = try await newBucket()
        let keys = (0..<1105).map { String(format: "img/%05d.jpg", $0) }
        // Eight uploads in flight at a time: quick without flooding the shared moto.
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = keys[...]
            for _ in 0..<8 {
                guard let key = pending.popFirst() else { break }
                group.addTask { try await s3.putObject(bucket: bucket, key: key, body: Data(key.utf8)) }
            }
            while try await group.next() != nil {
                if let key = pending.popFirst() {
                    group.addTask { try await s3.putObject(bucket: bucket, key: key, body: Data(key.utf8)) }
                }
            }
        }
        try await s3.putObject(bucket: bucket, key: "other/x", body: Data())

        var pages: [S3ListPage] = []
        for try await page in s3.listObjectsV2Pages(bucket: bucket, prefix: "img/") { pages.append(page) }
        #expect(pages.count == 2)
        #expect(pages.first?.objects.count == 1000)
        #expect(pages.last?.isTruncated == false)
        #expect(pages.flatMap(\.objects).map(\.key) == keys)

        var smallPages = 0
        for try await _ in s3.listObjectsV2Pages(bucket: bucket, prefix: "img/", maxKeys: 400) { smallPages += 1 }
        #expect(smallPages == 3)

        let folders = try await s3.listObjectsV2(bucket: bucket, delimiter: "/")
        #expect(folders.commonPrefixes.sorted() == ["img/", "other/"])
        #expect(folders.objects.isEmpty)
    }

    @Test("a presigned GET URL fetched by plain curl (no credentials) returns the object")
    func presignedGet() async throws {
        let bucket = try await newBucket()
        let body = Self.randomBytes(4096)
        try await s3.putObject(bucket: bucket, key: "shared photo.jpg", body: body, contentType: "image/jpeg")
        let url = try await s3.presignedGetURL(bucket: bucket, key: "shared photo.jpg", expires: .seconds(300))
        #expect(url.absoluteString.contains("X-Amz-Signature="))
        #expect(url.absoluteString.contains("X-Amz-Expires=300"))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(MotoNames.unique("presign"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out.bin")
        let status = try CurlCommand.fetch(url, to: output)
        #expect(status == 200)
        #expect(try Data(contentsOf: output) == body)
    }
}
