import Foundation
import Pipeline
import Testing
import TestSupport
import WebTier

/// The whole system on the shared moto: our web tier in-process, real `apptier` worker processes,
/// real photos, and a real WebSocket client (Python `websockets`). Results are checked against
/// the `classify` command run on the same files.
@Suite("Web tier end to end", .serialized,
       .enabled(if: WebTierHarness.workersAvailable, "needs the apptier binary and models/ (scripts/setup)"))
struct EndToEndTests {
    @Test("30 photos through POST /api/jobs arrive as 30 results over the job's WebSocket")
    func thirtyPhotosOverWebSocket() async throws {
        let photos = try Photos.cycled(30)
        try #require(photos.count == 30, "no photos in testdata/photos (run scripts/setup)")
        let expected = try await Photos.expectedLabels()
        let harness = try await WebTierHarness()
        let workers = try (1...2).map { try harness.startWorker("e2e-worker-\($0)") }
        defer { Task { for worker in workers { await worker.stop() }; await harness.stop() } }

        let response = try await harness.upload(photos.map { ($0.name, $0.bytes) })
        #expect(response.status == 202, "\(response.text)")
        let accepted = try APIJSON.decode(JobAccepted.self, from: response.body)
        #expect(accepted.images.count == 30)
        #expect(accepted.rejected.isEmpty)
        #expect(accepted.images.map(\.index) == Array(0..<30))

        let client = try ChildProcess(
            name: "ws-collect", executable: TestPaths.python,
            arguments: [TestPaths.repositoryRoot.appendingPathComponent("Tests/python/webtier/webtier_ws_collect.py").path,
                        "--url", "ws://127.0.0.1:\(harness.port)/ws?job=\(accepted.jobId)",
                        "--results", "30", "--timeout", "400"])
        let status = await client.waitForExit(timeout: .seconds(420))
        #expect(status == 0, "websocket client: \(client.output.suffix(2000))\nworker: \(workers[0].output.suffix(2000))")

        let events = client.output.split(separator: "\n").compactMap {
            try? APIJSON.decode(WebSocketEvent.self, from: Data($0.utf8))
        }
        guard case .snapshot(let snapshot)? = events.first else {
            Issue.record("the first event must be the snapshot, got \(String(describing: events.first))")
            return
        }
        #expect(snapshot.jobId == accepted.jobId && snapshot.images == accepted.images)
        var results: [String: ImageResult] = [:]
        for result in snapshot.results { results[result.imageId] = result }
        for event in events.dropFirst() {
            guard case .result(let result) = event else { continue }
            #expect(results[result.imageId] == nil, "result \(result.imageId) sent twice")
            results[result.imageId] = result
        }
        #expect(results.count == 30)
        for (index, image) in accepted.images.enumerated() {
            let result = try #require(results[image.imageId], "no result for \(image.fileName)")
            #expect(result.fileName == photos[index].name)
            #expect(result.error == nil)
            #expect(result.label == expected[photos[index].original], "\(photos[index].name)")
            #expect(result.latencyMs != nil)
        }

        let final = try await harness.waitForCompletion(jobId: accepted.jobId, port: harness.port, timeout: .seconds(10))
        #expect(final?.complete == true && final?.results.count == 30 && final?.counts.done == 30)
        let metrics = try await TestHTTPClient.get(port: harness.port, "/metrics").text
        #expect(metrics.contains("webtier_images_accepted_total 30"))
        #expect(metrics.contains("webtier_result_latency_seconds_count 30"))
    }

    @Test("concurrent course-style POST / requests each get <name>:<label>", arguments: [20, 100])
    func concurrentCourseRequests(count: Int) async throws {
        let photos = try Photos.cycled(count)
        try #require(photos.count == count, "no photos in testdata/photos (run scripts/setup)")
        let expected = try await Photos.expectedLabels()
        let harness = try await WebTierHarness()
        let workers = try (1...2).map { try harness.startWorker("course-worker-\($0)") }
        defer { Task { for worker in workers { await worker.stop() }; await harness.stop() } }

        let replies = try await withThrowingTaskGroup(of: (Int, TestResponse).self) { group in
            for (index, photo) in photos.enumerated() {
                group.addTask { (index, try await harness.upload([(photo.name, photo.bytes)], field: "myfile", path: "/")) }
            }
            var replies: [Int: TestResponse] = [:]
            for try await (index, reply) in group { replies[index] = reply }
            return replies
        }
        for (index, photo) in photos.enumerated() {
            let reply = try #require(replies[index])
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.header("Content-Type")?.hasPrefix("text/plain") == true)
            let label = try #require(expected[photo.original], "classify gave no label for \(photo.original)")
            #expect(reply.text == "\(CourseNaming.stem(of: photo.name)):\(label)")
        }
    }

    @Test("a course request with no worker answers 504 after the configured timeout")
    func courseTimeout() async throws {
        let photo = try #require(try Photos.all().first, "no photos")
        let harness = try await WebTierHarness(["web.courseEndpointTimeoutSeconds": "1.5"])
        defer { Task { await harness.stop() } }
        let reply = try await harness.upload([photo], field: "myfile", path: "/")
        #expect(reply.status == 504)
        #expect(reply.text.contains("1.5 seconds"))
    }

    @Test("a web tier stopped and restarted mid-job rebuilds the job from S3 and ends with every result")
    func restartMidJob() async throws {
        let photos = try Photos.cycled(40)
        try #require(photos.count == 40, "no photos")
        let harness = try await WebTierHarness()
        let response = try await harness.upload(photos.map { ($0.name, $0.bytes) })
        let accepted = try APIJSON.decode(JobAccepted.self, from: response.body)
        #expect(accepted.images.count == 40)

        // One worker starts the job; once some results are in, the web tier goes away.
        // One image at a time, so the job is surely mid-way when the first result is in.
        let worker = try harness.startWorker("restart-worker", extra: ["worker.parallelism": "1", "worker.receiveBatchSize": "1"])
        defer { Task { await worker.stop() } }
        let deadline = ContinuousClock.now + .seconds(240)
        var partial: JobStatus?
        while ContinuousClock.now < deadline {
            let reply = try await TestHTTPClient.get(port: harness.port, "/api/jobs/\(accepted.jobId)")
            partial = try? APIJSON.decode(JobStatus.self, from: reply.body)
            if (partial?.results.count ?? 0) >= 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect((partial?.results.count ?? 0) >= 1)
        await harness.stop()
        #expect(partial?.complete == false, "the job finished before the stop (\(partial?.results.count ?? 0) results); the test needs it mid-way")

        let restarted = try await harness.restarted()
        defer { Task { await restarted.stop() } }
        let final = try await harness.waitForCompletion(jobId: accepted.jobId, port: restarted.port, timeout: .seconds(300))
        let status = try #require(final)
        #expect(status.complete)
        #expect(status.results.count == 40)
        let missing = Set(accepted.images.map(\.imageId)).subtracting(status.results.map(\.imageId))
        #expect(missing.isEmpty, "no result for \(accepted.images.filter { missing.contains($0.imageId) }.map(\.fileName))")
        #expect(status.images.map(\.imageId) == accepted.images.map(\.imageId))
        #expect(status.submittedAt > 0)

        let unknown = try await TestHTTPClient.get(port: restarted.port, "/api/jobs/\(ObjectNaming.newID())")
        #expect(unknown.status == 404)
    }
}
