import Foundation
import HTTPServer
import Pipeline
import Testing
@testable import WebTier

@Suite("Intake policy")
struct IntakePolicyTests {
    static let policy = IntakePolicy(allowedExtensions: ["jpg", "jpeg", "PNG"], maxFileBytes: 1000,
                                     maxRequestBytes: 5000, maxFilesPerRequest: 3)
    static let jpegStart: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0, 0, 0, 0]
    static let pngStart: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    @Test("accepted: allow-listed extension in any case with matching magic bytes",
          arguments: [("a.jpg", jpegStart), ("a.JPG", jpegStart), ("b.Jpeg", jpegStart), ("c.png", pngStart), ("d.PnG", pngStart)])
    func accepted(name: String, bytes: [UInt8]) {
        #expect(Self.policy.refusal(fileName: name, size: 100, leadingBytes: bytes) == nil)
    }

    @Test("refused, with a reason naming the problem", arguments: [
        ("a.gif", jpegStart, 100, "extension .gif"),
        ("noext", jpegStart, 100, "no extension"),
        ("a.jpg", [0xFF, 0xD8, 0x00] + [0, 0, 0, 0, 0], 100, "not a JPEG or PNG"),
        ("a.png", Array(pngStart.prefix(7)) + [0], 100, "not a JPEG or PNG"),
        ("a.png", jpegStart, 100, "is JPEG but"),
        ("a.jpg", pngStart, 100, "is PNG but"),
        ("a.jpg", jpegStart, 0, "empty"),
        ("a.jpg", jpegStart, 1001, "limit of 1000 bytes"),
        ("a.jpg", [0xFF, 0xD8], 2, "not a JPEG or PNG"),
    ] as [(String, [UInt8], Int, String)])
    func refused(name: String, bytes: [UInt8], size: Int, reason: String) throws {
        let refusal = try #require(Self.policy.refusal(fileName: name, size: size, leadingBytes: bytes))
        #expect(refusal.contains(reason), "\(refusal)")
    }

    @Test("hostile names are refused; a Windows path is not", arguments: [
        ("../x.jpg", true), ("a/../../x.jpg", true), ("..\\x.jpg", true), ("x\u{0}.jpg", true), ("x\n.jpg", true),
        ("x\u{7F}.jpg", true), ("C:\\Users\\me\\x.jpg", false), ("..x.jpg", false), ("x..jpg", false), ("ok.jpg", false),
    ])
    func hostileNames(name: String, refused: Bool) {
        #expect((IntakePolicy.nameRefusal(name) != nil) == refused)
    }

    @Test("the policy comes from WebSettings, extensions lowercased")
    func fromSettings() {
        var web = WebSettings()
        web.allowedExtensions = ["JPG", "png"]
        web.maxFileBytes = 10
        let policy = IntakePolicy(web)
        #expect(policy.allowedExtensions == ["jpg", "png"])
        #expect(policy.maxFileBytes == 10)
    }
}

@Suite("Upload token and origin checks")
struct AccessCheckTests {
    @Test("no token configured lets everything through")
    func noToken() {
        #expect(UploadAuthorization(token: nil).allows(HTTPHeaders()))
        #expect(UploadAuthorization(token: "").allows(HTTPHeaders()))
        #expect(!UploadAuthorization(token: "").isRequired)
    }

    @Test("the token is accepted as a Bearer credential or the upload_token cookie, nothing else", arguments: [
        (["Authorization": "Bearer tok-123"], true),
        (["Authorization": "bearer tok-123"], true),
        (["Cookie": "a=b; upload_token=tok-123; c=d"], true),
        (["Authorization": "Bearer tok-12"], false),
        (["Authorization": "Bearer tok-1234"], false),
        (["Authorization": "Basic tok-123"], false),
        (["Cookie": "upload_token=TOK-123"], false),
        (["Cookie": "xupload_token=tok-123"], false),
        ([:], false),
    ] as [([String: String], Bool)])
    func token(headers: [String: String], allowed: Bool) {
        var fields = HTTPHeaders()
        for (name, value) in headers { fields.append(name, value) }
        #expect(UploadAuthorization(token: "tok-123").allows(fields) == allowed)
    }

    @Test("constant-time comparison agrees with ==")
    func constantTime() {
        let samples: [[UInt8]] = [[], [1], [1, 2], [1, 3], [2, 2], Array("token".utf8), Array("tokem".utf8)]
        for a in samples { for b in samples { #expect(UploadAuthorization.constantTimeEqual(a, b) == (a == b)) } }
    }

    @Test("WebSocket origins: none, same origin and listed origins pass; others fail", arguments: [
        (nil, "127.0.0.1:5000", true),
        ("http://127.0.0.1:5000", "127.0.0.1:5000", true),
        ("http://127.0.0.1:5000/", "127.0.0.1:5000", true),
        ("https://example.org", "127.0.0.1:5000", true),
        ("http://evil.example", "127.0.0.1:5000", false),
        ("http://127.0.0.1:5001", "127.0.0.1:5000", false),
        ("null", "127.0.0.1:5000", false),
    ] as [(String?, String, Bool)])
    func origins(origin: String?, host: String, allowed: Bool) {
        var headers: HTTPHeaders = ["Host": host]
        if let origin { headers.append("Origin", origin) }
        #expect(OriginCheck(allowedOrigins: ["https://EXAMPLE.org"]).allows(headers) == allowed)
    }
}

@Suite("Job store and result routing")
struct JobStoreTests {
    static func result(_ jobId: String, _ imageId: String, label: String = "tabby") -> ResultMessage {
        ResultMessage(jobId: jobId, imageId: imageId, fileName: "\(imageId).jpg", label: label,
                      top5: [Prediction(label: label, score: 0.9)], model: "m", worker: "w", inferenceMs: 1)
    }

    @Test("results are recorded once per image, only for the job's images, with latency")
    func dedup() {
        let store = JobStore()
        let metrics = WebMetrics()
        let router = ResultRouter(jobs: store, waiters: ResultWaiters(), metrics: metrics)
        let jobId = ObjectNaming.newID()
        let images = (0..<2).map { AcceptedImage(index: $0, imageId: ObjectNaming.newID(), fileName: "f\($0).jpg") }
        store.register(jobId: jobId, submittedAt: APIJSON.milliseconds(Date()) - 1500, images: images)
        #expect(router.route(Self.result(jobId, images[0].imageId)))
        #expect(!router.route(Self.result(jobId, images[0].imageId, label: "other")))
        #expect(!router.route(Self.result(jobId, ObjectNaming.newID())))
        #expect(!router.route(Self.result(ObjectNaming.newID(), images[1].imageId)))
        let status = store.status(of: jobId)
        #expect(status?.results.map(\.label) == ["tabby"])
        #expect(status?.counts == JobCounts(total: 2, done: 1, failed: 0, pending: 1))
        #expect((status?.results.first?.latencyMs ?? 0) >= 1500)
        #expect(metrics.snapshot.latency.count == 1)
        #expect(metrics.snapshot.duplicateResults == 1)
    }

    @Test("a result that arrives before its job is adopted (restart race) is merged at adoption")
    func orphanMerged() {
        let store = JobStore()
        let jobId = ObjectNaming.newID()
        let images = (0..<2).map { AcceptedImage(index: $0, imageId: ObjectNaming.newID(), fileName: "f\($0).jpg") }
        let early = ImageResult(Self.result(jobId, images[1].imageId), submittedAt: 0, completedAt: 5)
        #expect(store.record(early) == .unknown)
        let rebuilt = JobStatus(jobId: jobId, submittedAt: 0, images: images,
                                results: [ImageResult(Self.result(jobId, images[0].imageId), submittedAt: 0, completedAt: 3)])
        store.adopt(rebuilt)
        #expect(store.status(of: jobId)?.complete == true)
        #expect(store.status(of: jobId)?.results.count == 2)
    }

    @Test("beyond capacity the oldest job is forgotten")
    func capacity() {
        let store = JobStore(capacity: 2)
        let ids = (0..<3).map { _ in ObjectNaming.newID() }
        for id in ids { store.register(jobId: id, submittedAt: 0, images: []) }
        #expect(!store.contains(ids[0]) && store.contains(ids[1]) && store.contains(ids[2]))
    }

    @Test("a waiter gets a result that arrived before it waited, and nil after its timeout")
    func waiters() async {
        let waiters = ResultWaiters()
        let early = Self.result("j", "early")
        waiters.expect("early")
        waiters.resolve("early", with: early)
        #expect(await waiters.wait(for: "early", timeout: .seconds(5)) == early)

        waiters.expect("late")
        async let waited = waiters.wait(for: "late", timeout: .seconds(5))
        try? await Task.sleep(for: .milliseconds(100))
        waiters.resolve("late", with: Self.result("j", "late"))
        #expect(await waited?.imageId == "late")

        waiters.expect("never")
        #expect(await waiters.wait(for: "never", timeout: .milliseconds(100)) == nil)
        #expect(waiters.count == 0)
        // A result nobody expects is not kept.
        waiters.resolve("stray", with: Self.result("j", "stray"))
        #expect(await waiters.wait(for: "stray", timeout: .milliseconds(50)) == nil)
    }
}

@Suite("Metrics text")
struct MetricsTests {
    @Test("histogram buckets are cumulative and the exposition names every family")
    func exposition() {
        let metrics = WebMetrics()
        metrics.update {
            $0.imagesAccepted = 3
            $0.latency.observe(seconds: 0.2)
            $0.latency.observe(seconds: 3)
            $0.latency.observe(seconds: 500)
        }
        let text = metrics.render(WebMetrics.Live(requestQueueVisible: 4, requestQueueInFlight: 1, fleetPending: 1,
                                                  fleetRunning: 2, fleetDesired: 3, jobsHeld: 7,
                                                  intakeMemoryBytes: 100, intakeSpoolBytes: 2000))
        #expect(text.contains("webtier_images_accepted_total 3\n"))
        #expect(text.contains("webtier_result_latency_seconds_bucket{le=\"0.1\"} 0\n"))
        #expect(text.contains("webtier_result_latency_seconds_bucket{le=\"0.25\"} 1\n"))
        #expect(text.contains("webtier_result_latency_seconds_bucket{le=\"5\"} 2\n"))
        #expect(text.contains("webtier_result_latency_seconds_bucket{le=\"+Inf\"} 3\n"))
        #expect(text.contains("webtier_result_latency_seconds_count 3\n"))
        #expect(text.contains("webtier_request_queue_messages{state=\"visible\"} 4\n"))
        #expect(text.contains("webtier_fleet_instances{state=\"running\"} 2\n"))
        #expect(text.contains("webtier_fleet_instances{state=\"stopped\"} 0\n"))
        #expect(text.contains("webtier_jobs_held 7\n"))
        #expect(text.contains("webtier_intake_held_bytes{where=\"memory\"} 100\nwebtier_intake_held_bytes{where=\"spool\"} 2000\n"))
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.split(separator: " ").count == 2, "bad sample line: \(line)")
        }
    }
}
