import Foundation
import Pipeline
import Testing
@testable import WebTier

/// The JSON the page and other clients read: each payload encodes to exactly the shape documented
/// in Resources/Public/API.md, and decodes back.
@Suite struct APIPayloadTests {
    static let jobID = "0123456789abcdef0123456789abcdef"

    static let success = ImageResult(
        jobId: jobID, imageId: "img1", fileName: "cat.jpg", label: "tabby",
        top5: [Prediction(label: "tabby", score: 0.75), Prediction(label: "tiger cat", score: 0.125)],
        model: "efficientnet-lite0", worker: "app-tier-1", inferenceMs: 12.5, latencyMs: 840,
        completedAt: 1_800_000_000_840, error: nil)

    static let failure = ImageResult(
        jobId: jobID, imageId: "img2", fileName: "broken.png", label: nil, top5: [], model: "efficientnet-lite0",
        worker: "app-tier-2", inferenceMs: 0, latencyMs: nil, completedAt: 1_800_000_001_000,
        error: "not a PNG image")

    static let fleet = FleetSnapshot(
        at: 1_800_000_000_000, queue: QueueBacklog(visible: 42, inFlight: 8),
        instances: InstanceCounts(pending: 3, running: 16, stopped: 2), desired: 19, max: 19, explanation: "launch 0")

    @Test func intakeResponse() throws {
        let accepted = JobAccepted(
            jobId: Self.jobID, images: [AcceptedImage(index: 0, imageId: "img1", fileName: "cat.jpg")],
            rejected: [RejectedFile(index: 1, fileName: "notes.txt", reason: "extension .txt is not accepted")])
        #expect(try APIJSON.encodeString(accepted) == """
            {"images":[{"fileName":"cat.jpg","imageId":"img1","index":0}],"jobId":"\(Self.jobID)",\
            "rejected":[{"fileName":"notes.txt","index":1,"reason":"extension .txt is not accepted"}]}
            """)
    }

    @Test func resultEventOfASuccess() throws {
        #expect(try APIJSON.encodeString(WebSocketEvent.result(Self.success)) == """
            {"completedAt":1800000000840,"fileName":"cat.jpg","imageId":"img1","inferenceMs":12.5,\
            "jobId":"\(Self.jobID)","label":"tabby","latencyMs":840,"model":"efficientnet-lite0",\
            "top5":[{"label":"tabby","score":0.75},{"label":"tiger cat","score":0.125}],\
            "type":"result","worker":"app-tier-1"}
            """)
    }

    /// A failure carries its reason and omits the label and the unknown latency.
    @Test func resultEventOfAFailure() throws {
        #expect(try APIJSON.encodeString(WebSocketEvent.result(Self.failure)) == """
            {"completedAt":1800000001000,"error":"not a PNG image","fileName":"broken.png","imageId":"img2",\
            "inferenceMs":0,"jobId":"\(Self.jobID)","model":"efficientnet-lite0","top5":[],"type":"result",\
            "worker":"app-tier-2"}
            """)
    }

    @Test func fleetEvent() throws {
        #expect(try APIJSON.encodeString(WebSocketEvent.fleet(Self.fleet)) == """
            {"at":1800000000000,"desired":19,"explanation":"launch 0","instances":{"pending":3,"running":16,"stopped":2},\
            "max":19,"queue":{"inFlight":8,"visible":42},"type":"fleet"}
            """)
    }

    @Test("a fleet event names the warm pool's size when there is a pool, and only then")
    func fleetEventWithAWarmPool() throws {
        var pooled = Self.fleet
        pooled.warmPool = 5
        #expect(try APIJSON.encodeString(WebSocketEvent.fleet(pooled)).contains(#""warmPool":5"#))
        let off = FleetSnapshot(at: 0, queue: QueueBacklog(visible: 0, inFlight: 0), instances: InstanceCounts(pending: 0, running: 0),
                                desired: 0, max: 1, explanation: "", warmPool: 0)
        #expect(off.warmPool == nil)
    }

    @Test func snapshotEvent() throws {
        let status = JobStatus(
            jobId: Self.jobID, submittedAt: 1_800_000_000_000,
            images: [AcceptedImage(index: 0, imageId: "img2", fileName: "broken.png"), AcceptedImage(index: 1, imageId: "img3", fileName: "dog.jpg")],
            results: [Self.failure])
        #expect(try APIJSON.encodeString(WebSocketEvent.snapshot(status)) == """
            {"complete":false,"counts":{"done":0,"failed":1,"pending":1,"total":2},\
            "images":[{"fileName":"broken.png","imageId":"img2","index":0},{"fileName":"dog.jpg","imageId":"img3","index":1}],\
            "jobId":"\(Self.jobID)","results":[{"completedAt":1800000001000,"error":"not a PNG image",\
            "fileName":"broken.png","imageId":"img2","inferenceMs":0,"jobId":"\(Self.jobID)",\
            "model":"efficientnet-lite0","top5":[],"worker":"app-tier-2"}],"submittedAt":1800000000000,\
            "type":"snapshot"}
            """)
    }

    @Test func errorEvent() throws {
        let event = WebSocketEvent.error(EventError(code: .unknownJob, message: "no job \(Self.jobID)"))
        #expect(try APIJSON.encodeString(event)
            == #"{"code":"unknownJob","message":"no job \#(Self.jobID)","type":"error"}"#)
    }

    @Test func pageConfigurationNeverCarriesTheToken() throws {
        var web = WebSettings()
        web.uploadToken = "s3cret-token"
        web.allowedExtensions = ["JPG", "png"]
        let json = try APIJSON.encodeString(PageConfiguration(web))
        #expect(json == """
            {"allowedExtensions":["jpg","png"],"maxFileBytes":20971520,"maxFilesPerRequest":500,\
            "maxRequestBytes":1073741824,"uploadTokenRequired":true}
            """)
        #expect(!json.contains("s3cret"))
        web.uploadToken = ""
        #expect(PageConfiguration(web).uploadTokenRequired == false)
    }

    static let allEvents: [WebSocketEvent] = [
        .result(success), .result(failure), .fleet(fleet),
        .snapshot(JobStatus(jobId: jobID, submittedAt: 5, images: [AcceptedImage(index: 0, imageId: "img1", fileName: "cat.jpg")],
                            results: [success])),
        .error(EventError(code: .slowConsumer, message: "fell behind")),
    ]

    @Test(arguments: allEvents)
    func eventsDecodeBackToThemselves(event: WebSocketEvent) throws {
        let data = try APIJSON.encode(event)
        #expect(try APIJSON.decode(WebSocketEvent.self, from: data) == event)
    }

    @Test(arguments: [
        (#"{"type":"gossip","x":1}"#, "unknown event type 'gossip'"),
        (#"{"label":"tabby"}"#, "type"),
        (#"{"type":"fleet","at":1}"#, "queue"),
        (#"[1,2]"#, "Dictionary"),  // not an object
    ])
    func malformedEventsAreRefusedWithTheReason(json: String, mentions: String) {
        do {
            _ = try APIJSON.decode(WebSocketEvent.self, from: Data(json.utf8))
            Issue.record("decoded \(json)")
        } catch {
            #expect(String(describing: error).contains(mentions))
        }
    }

    // MARK: job status

    /// At-least-once delivery may repeat a result; the job counts each image once, the first
    /// result standing, and ignores results for images it does not have.
    @Test func jobStatusCountsEachImageOnce() {
        let images = [AcceptedImage(index: 0, imageId: "img1", fileName: "cat.jpg"), AcceptedImage(index: 1, imageId: "img2", fileName: "broken.png")]
        var duplicate = Self.success
        duplicate.label = "lynx"
        var stranger = Self.success
        stranger.imageId = "img9"
        let partial = JobStatus(jobId: Self.jobID, submittedAt: 0, images: images, results: [Self.success, duplicate, stranger])
        #expect(partial.results == [Self.success])
        #expect(partial.counts == JobCounts(total: 2, done: 1, failed: 0, pending: 1))
        #expect(!partial.complete)

        let whole = JobStatus(jobId: Self.jobID, submittedAt: 0, images: images, results: [Self.success, Self.failure])
        #expect(whole.counts == JobCounts(total: 2, done: 1, failed: 1, pending: 0))
        #expect(whole.complete)
    }

    @Test(arguments: [
        (submittedAt: Int64?.some(1_000), completedAt: Int64(1_840), latency: Int64?.some(840)),
        (1_000, 1_000, 0),
        (2_000, 1_000, nil),   // clock went backwards: no negative latency
        (nil, 1_000, nil),
    ])
    func latencyRunsFromIntakeToResult(submittedAt: Int64?, completedAt: Int64, latency: Int64?) {
        let message = ResultMessage(jobId: Self.jobID, imageId: "img1", fileName: "cat.jpg", label: "tabby",
                                    top5: [], model: "m", worker: "w", inferenceMs: 3)
        let result = ImageResult(message, submittedAt: submittedAt, completedAt: completedAt)
        #expect(result.latencyMs == latency)
        #expect(result.label == "tabby" && result.worker == "w" && result.completedAt == completedAt)
    }

    @Test func fleetSnapshotReportsTheDecision() {
        let backlog = QueueBacklog(visible: 4, inFlight: 1)
        let decision = ScalingPolicy.decide(
            backlog: backlog, instances: [FleetInstance(id: "i-1", state: .running, launchedAt: Date(timeIntervalSince1970: 0)),
                                          FleetInstance(id: "i-2", state: .stopped, launchedAt: Date(timeIntervalSince1970: 0))],
            settings: ScalingSettings(), state: ScalingState(), now: Date(timeIntervalSince1970: 100))
        let snapshot = FleetSnapshot(decision: decision, queue: backlog, maximum: 19, at: Date(timeIntervalSince1970: 100.25))
        #expect(snapshot == FleetSnapshot(at: 100_250, queue: backlog, instances: InstanceCounts(pending: 0, running: 1, stopped: 1),
                                          desired: 5, max: 19, explanation: decision.explanation))
    }
}
