import Foundation
import Pipeline
import Testing
import WebTier

/// Every way an upload is refused answers its status and reason, and leaves S3 and SQS untouched:
/// no input object, no output object, no message in the request queue.
@Suite("Intake rejections", .serialized)
struct IntakeRejectionTests {
    static let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46]) + Data(repeating: 7, count: 300)
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 1, count: 300)

    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let name: String
        let bytes: Data
        let reason: String
        /// Send the name as RFC 8187 `filename*=UTF-8''…` (how control characters can arrive at all).
        var encoded = false
    }

    static let refusedFiles: [Case] = [
        Case(description: "bad extension", name: "notes.txt", bytes: jpeg, reason: "extension .txt is not accepted"),
        Case(description: "no extension", name: "photo", bytes: jpeg, reason: "no extension"),
        Case(description: "wrong magic bytes", name: "cat.jpg", bytes: Data("GIF89a not really".utf8), reason: "not a JPEG or PNG"),
        Case(description: "PNG named .jpg", name: "cat.JPG", bytes: png, reason: "the content is PNG but the extension .jpg says JPEG"),
        Case(description: "empty file", name: "empty.png", bytes: Data(), reason: "empty"),
        Case(description: "traversal name", name: "../../etc/cron.d/evil.jpg", bytes: jpeg, reason: "parent-directory"),
        Case(description: "Windows traversal", name: "..\\..\\boot.ini.png", bytes: png, reason: "parent-directory"),
        Case(description: "control characters", name: "evil\u{01}\u{1B}[31m.jpg", bytes: jpeg, reason: "control characters",
             encoded: true),
        Case(description: "encoded traversal", name: "../../x.png", bytes: png, reason: "parent-directory", encoded: true),
    ]

    @Test("a refused file gets 415 with its reason and stores nothing", arguments: refusedFiles)
    func refusedFile(_ refused: Case) async throws {
        let harness = try await WebTierHarness()
        defer { Task { await harness.stop() } }
        var form = MultipartBody()
        if refused.encoded {
            form.addFile(field: "files", encodedFileName: refused.name, bytes: refused.bytes)
        } else {
            form.addFile(field: "files", fileName: refused.name, bytes: refused.bytes)
        }
        let response = try await TestHTTPClient.upload(port: harness.port, path: "/api/jobs", form)
        #expect(response.status == 415, "\(response.text)")
        let body = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        let rejected = body?["rejected"] as? [[String: Any]]
        #expect(rejected?.count == 1)
        let reason = rejected?.first?["reason"] as? String ?? ""
        #expect(reason.contains(refused.reason), "reason was: \(reason)")
        #expect((body?["images"] as? [Any])?.isEmpty == true)
        try await expectUntouched(harness)
    }

    @Test("a raw control character in a part's headers is a malformed request (400)")
    func rawControlCharacter() async throws {
        let harness = try await WebTierHarness()
        defer { Task { await harness.stop() } }
        let response = try await harness.upload([("evil\u{01}.jpg", Self.jpeg)])
        #expect(response.status == 400, "\(response.text)")
        try await expectUntouched(harness)
    }

    @Test("a file over the per-file limit refuses the request with 413 naming the limit")
    func oversizeFile() async throws {
        let harness = try await WebTierHarness(["web.maxFileBytes": "1000"])
        defer { Task { await harness.stop() } }
        let big = Self.jpeg + Data(repeating: 0, count: 2000)
        let response = try await harness.upload([("small.jpg", Self.jpeg), ("big.jpg", big)])
        #expect(response.status == 413)
        #expect(response.text.contains("1000"), "\(response.text)")
        try await expectUntouched(harness)
    }

    @Test("a request over the total limit is refused with 413 naming the limit")
    func oversizeRequest() async throws {
        let harness = try await WebTierHarness(["web.maxRequestBytes": "2000", "web.maxFileBytes": "1000"])
        defer { Task { await harness.stop() } }
        let files = (0..<10).map { ("f\($0).jpg", Self.jpeg) }
        let response = try await harness.upload(files)
        #expect(response.status == 413)
        #expect(response.text.contains("2000"), "\(response.text)")
        try await expectUntouched(harness)
    }

    @Test("more files than allowed is refused with 413 naming the limit, even when the first ones are fine")
    func tooManyFiles() async throws {
        let harness = try await WebTierHarness(["web.maxFilesPerRequest": "3"])
        defer { Task { await harness.stop() } }
        let files = (0..<4).map { ("f\($0).jpg", Self.jpeg) }
        let response = try await harness.upload(files)
        #expect(response.status == 413)
        #expect(response.text.contains("3 files"), "\(response.text)")
        try await expectUntouched(harness)
    }

    @Test("with a token configured, uploads without it (or with a wrong one) get 401; the right one is accepted")
    func uploadToken() async throws {
        let harness = try await WebTierHarness(["web.uploadToken": "s3cret-token"])
        defer { Task { await harness.stop() } }
        let file = [("cat.jpg", Self.jpeg)]
        let missing = try await harness.upload(file)
        #expect(missing.status == 401)
        #expect(missing.header("WWW-Authenticate") == "Bearer")
        let wrong = try await harness.upload(file, headers: ["Authorization": "Bearer s3cret-tokeX"])
        #expect(wrong.status == 401)
        let course = try await harness.upload(file, field: "myfile", path: "/")
        #expect(course.status == 401)
        try await expectUntouched(harness)

        let config = try await TestHTTPClient.get(port: harness.port, "/api/config")
        #expect(!config.text.contains("s3cret"), "the token must never leave the server")
        #expect(config.text.contains("\"uploadTokenRequired\":true"))

        let right = try await harness.upload(file, headers: ["Authorization": "Bearer s3cret-token"])
        #expect(right.status == 202, "\(right.text)")
        let viaCookie = try await harness.upload(file, headers: ["Cookie": "theme=dark; upload_token=s3cret-token"])
        #expect(viaCookie.status == 202, "\(viaCookie.text)")
        #expect(try await harness.requestQueueCount() == 2)
    }

    @Test("a body that is not multipart is refused with 415")
    func notMultipart() async throws {
        let harness = try await WebTierHarness()
        defer { Task { await harness.stop() } }
        let response = try await TestHTTPClient.request(port: harness.port, method: "POST", path: "/api/jobs",
                                                        headers: ["Content-Type": "application/json"], body: Data("{}".utf8))
        #expect(response.status == 415)
        try await expectUntouched(harness)
    }

    @Test("a mixed request stores and queues only the good files; the others are listed with reasons")
    func mixedRequest() async throws {
        let harness = try await WebTierHarness()
        defer { Task { await harness.stop() } }
        let response = try await harness.upload([("notes.txt", Self.jpeg), ("../a/b/../../cat.jpg", Self.jpeg),
                                                 ("C:\\Users\\me\\dog.PNG", Self.png), ("fake.png", Self.jpeg)])
        #expect(response.status == 202, "\(response.text)")
        let accepted = try APIJSON.decode(JobAccepted.self, from: response.body)
        #expect(accepted.images.map(\.index) == [2])
        #expect(accepted.images.first?.fileName == "dog.PNG")
        #expect(accepted.rejected.map(\.index) == [0, 1, 3])
        let inputs = try await harness.inputObjects()
        #expect(inputs == [ObjectNaming.inputKey(jobId: accepted.jobId, imageId: accepted.images[0].imageId,
                                                 safeFileName: "dog.PNG")])
        #expect(try await harness.outputObjects().isEmpty, "intake writes nothing to the output bucket")
        #expect(try await harness.requestQueueCount() == 1)
        let messages = try await harness.resources.requests.receive(maxMessages: 10, waitSeconds: 1)
        let job = try MessageCodec.decodeJob(try #require(messages.first).body)
        #expect(job.key == inputs.first)
        #expect(job.fileName == "dog.PNG")
    }

    @Test("when S3 refuses the images, each failure is reported (503 with reasons) and nothing is queued")
    func storageFailure() async throws {
        let harness = try await WebTierHarness()
        defer { Task { await harness.stop() } }
        try await harness.clients.s3.deleteBucket(harness.resources.inputBucket)
        let response = try await harness.upload([("a.jpg", Self.jpeg), ("b.png", Self.png), ("c.txt", Self.jpeg)])
        #expect(response.status == 503, "\(response.text)")
        let accepted = try APIJSON.decode(JobAccepted.self, from: response.body)
        #expect(accepted.images.isEmpty)
        #expect(accepted.rejected.map(\.index) == [0, 1, 2])
        #expect(accepted.rejected.prefix(2).allSatisfy { $0.reason.contains("could not be stored") },
                "\(accepted.rejected.map(\.reason))")
        #expect(try await harness.requestQueueCount() == 0)
        #expect(try await harness.outputObjects().isEmpty, "nothing in the output bucket for a job with no stored image")
        let metrics = try await TestHTTPClient.get(port: harness.port, "/metrics").text
        #expect(metrics.contains("webtier_storage_failures_total 2"))
    }

    @Test("every response carries the security headers, errors included")
    func securityHeaders() async throws {
        let harness = try await WebTierHarness()
        defer { Task { await harness.stop() } }
        for path in ["/", "/healthz", "/api/config", "/api/jobs/not-an-id", "/metrics", "/nope"] {
            let response = try await TestHTTPClient.get(port: harness.port, path)
            #expect(response.header("Content-Security-Policy")?.hasPrefix(
                "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'") == true, "\(path)")
            #expect(response.header("X-Content-Type-Options") == "nosniff", "\(path)")
            #expect(response.header("X-Frame-Options") == "DENY", "\(path)")
            #expect(response.header("Referrer-Policy") == "no-referrer", "\(path)")
        }
        #expect(try await TestHTTPClient.get(port: harness.port, "/api/jobs/not-an-id").status == 400)
        #expect(try await TestHTTPClient.get(port: harness.port, "/healthz").text == "ok\n")
        let index = try await TestHTTPClient.get(port: harness.port, "/")
        #expect(index.status == 200 && index.text.contains("ElasticClassifier"))
    }

    func expectUntouched(_ harness: WebTierHarness, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await harness.inputObjects().isEmpty, "input bucket must stay empty", sourceLocation: sourceLocation)
        #expect(try await harness.outputObjects().isEmpty, "output bucket must stay empty", sourceLocation: sourceLocation)
        #expect(try await harness.requestQueueCount() == 0, "request queue must stay empty", sourceLocation: sourceLocation)
    }
}
