import AWS
import Foundation
import Pipeline
import Testing
import WebTier

/// Unauthenticated endpoints must not turn a client's requests into AWS requests one for one:
/// `/metrics` reads the queue depth from a short cache, and lookups of jobs not held here (an S3
/// listing each) are shape-checked, remembered when unknown and rate-limited. Counted on the wire
/// between the web tier and moto.
@Suite("AWS requests from unauthenticated endpoints", .serialized)
struct AWSCostTests {
    static func randomJobId() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    @Test("200 scrapes of /metrics, 50 at a time, cost one GetQueueAttributes and all show the depth")
    func metricsShareOneDepthRead() async throws {
        let harness = try await WebTierHarness(["web.queueDepthCacheSeconds": "600"], countingAWS: true)
        defer { Task { await harness.stop() } }
        let tally = try #require(harness.proxy).tally
        let before = tally.count("AmazonSQS.GetQueueAttributes")
        for _ in 0..<4 {
            let replies = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<50 { group.addTask { try await TestHTTPClient.get(port: harness.port, "/metrics") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == 200 && $0.text.contains("webtier_request_queue_messages{state=\"visible\"}") })
        }
        #expect(tally.count("AmazonSQS.GetQueueAttributes") - before == 1, "\(tally.requests.suffix(5))")
    }

    @Test("the same unknown job id asked 40 times (GET /api/jobs and /ws) costs one S3 listing, then 404s from memory")
    func unknownJobRemembered() async throws {
        let harness = try await WebTierHarness(countingAWS: true)
        defer { Task { await harness.stop() } }
        let tally = try #require(harness.proxy).tally
        let listing = "list-type=2"
        let before = tally.count(listing)
        let jobId = Self.randomJobId()
        for round in 0..<20 {
            let reply = try await TestHTTPClient.get(port: harness.port, "/api/jobs/\(jobId)")
            #expect(reply.status == 404, "round \(round): \(reply.text)")
            let socket = try await TestHTTPClient.get(port: harness.port, "/ws?job=\(jobId)")
            #expect(socket.status != 503 && socket.status != 429, "round \(round): \(socket.status) \(socket.text)")
        }
        #expect(tally.count(listing) - before == 1, "one listing of the input prefix: \(tally.requests.suffix(5))")

        for malformed in ["../../etc", "ABCDEF", String(repeating: "a", count: 33), "0123456789abcdef0123456789abcdeg"] {
            let reply = try await TestHTTPClient.get(port: harness.port, "/api/jobs/\(malformed)")
            #expect(reply.status == 400 || reply.status == 404, "\(malformed): \(reply.status)")
        }
        #expect(tally.count(listing) - before == 1, "ids of the wrong shape cost no S3 request")
    }

    @Test("100 distinct unknown job ids cost at most the burst of S3 listings; the rest get 429 with Retry-After")
    func rebuildsAreRateLimited() async throws {
        let burst = 5
        let harness = try await WebTierHarness(["web.jobRebuildBurst": "\(burst)", "web.jobRebuildsPerSecond": "0.01"],
                                               countingAWS: true)
        defer { Task { await harness.stop() } }
        let tally = try #require(harness.proxy).tally
        let before = tally.count("list-type=2")
        var statuses: [Int: Int] = [:]
        for index in 0..<100 {
            let path = index.isMultiple(of: 2) ? "/api/jobs/\(Self.randomJobId())" : "/ws?job=\(Self.randomJobId())"
            let reply = try await TestHTTPClient.get(port: harness.port, path)
            statuses[reply.status, default: 0] += 1
            if reply.status == 429 {
                #expect(Int(reply.header("Retry-After") ?? "") ?? 0 >= 1, "429 says when to retry")
            }
        }
        // One token per 100 s after the burst: at most one more while the test runs.
        let listings = tally.count("list-type=2") - before
        #expect(listings >= burst && listings <= burst + 1, "\(listings) listings for 100 unknown ids")
        #expect((statuses[429] ?? 0) >= 100 - burst - 1, "\(statuses)")
        #expect(harness.service.context.metrics.snapshot.jobLookupsRefused == statuses[429] ?? 0)
    }
}
