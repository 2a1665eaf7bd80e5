import Foundation
import Pipeline
import Testing
import WebTier

/// The CSV of a job's results (`JobCSV`): RFC 4180 quoting and the formula guard, cell by cell.
@Suite struct JobCSVTests {
    @Test("cells a spreadsheet would run as formulas get a leading quote", arguments: [
        ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""),
        ("+1.jpg", "'+1.jpg"), ("-2.jpg", "'-2.jpg"), ("@SUM(A1).png", "'@SUM(A1).png"),
        ("\tcmd.jpg", "'\tcmd.jpg"),
    ])
    func formulaCells(raw: String, expected: String) {
        #expect(JobCSV.cell(raw) == expected)
    }

    @Test("cells with commas, quotes or line breaks are quoted, quotes doubled; plain ones are not", arguments: [
        ("cat.jpg", "cat.jpg"), ("a,b.jpg", "\"a,b.jpg\""), ("say \"hi\".png", "\"say \"\"hi\"\".png\""),
        ("two\nlines", "\"two\nlines\""), ("", ""), ("a=b.jpg", "a=b.jpg"),
    ])
    func quotedCells(raw: String, expected: String) {
        #expect(JobCSV.cell(raw) == expected)
    }

    @Test("one row per image in the job's order: done, failed and pending, with top5 in one cell")
    func rows() {
        let images = [AcceptedImage(index: 0, imageId: "a", fileName: "cat, tabby.jpg"),
                      AcceptedImage(index: 1, imageId: "b", fileName: "=bad.png"),
                      AcceptedImage(index: 2, imageId: "c", fileName: "later.jpg")]
        let results = [
            ImageResult(jobId: "j", imageId: "b", fileName: "=bad.png", label: nil, top5: [], model: "m", worker: "w",
                        inferenceMs: 0, latencyMs: nil, completedAt: 2, error: "not an image"),
            ImageResult(jobId: "j", imageId: "a", fileName: "cat, tabby.jpg", label: "tabby",
                        top5: [Prediction(label: "tabby", score: 0.75), Prediction(label: "tiger cat", score: 0.125)],
                        model: "m", worker: "w", inferenceMs: 1, latencyMs: 5, completedAt: 1, error: nil),
        ]
        let csv = JobCSV.render(JobStatus(jobId: "j", submittedAt: 0, images: images, results: results))
        #expect(csv == """
            file,label,score,top5,status,error,imageId\r
            "cat, tabby.jpg",tabby,0.75,tabby:0.75;tiger cat:0.125,done,,a\r
            '=bad.png,,,,failed,not an image,b\r
            later.jpg,,,,pending,,c\r

            """)
    }

    @Test("JobList's JSON shape (API.md)")
    func jobListShape() throws {
        let status = JobStatus(jobId: "j", submittedAt: 5, images: [AcceptedImage(index: 0, imageId: "a", fileName: "x.jpg")],
                               results: [])
        #expect(try APIJSON.encodeString(JobList(jobs: [JobSummary(status)]))
            == #"{"jobs":[{"complete":false,"counts":{"done":0,"failed":0,"pending":1,"total":1},"jobId":"j","submittedAt":5}]}"#)
    }

    @Test("scores: up to six decimals, no exponent, no trailing zeros", arguments: [
        (0.75, "0.75"), (1.0, "1"), (0.000_123_4, "0.000123"), (1e-9, "0"), (0.5 + 1e-12, "0.5"),
    ])
    func scores(value: Double, expected: String) {
        #expect(JobCSV.number(value) == expected)
    }
}

/// The routes beside a job's status, through the real web tier (in-process, real moto, real
/// sockets): downloads, the job list and the session that sets the token cookie.
@Suite("Job export, list and session routes", .serialized)
struct JobExportRouteTests {
    static let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0x42, count: 64))

    @Test("?format=csv is an attachment named for the job; ?format=json the status as a download; others 400")
    func downloads() async throws {
        let harness = try await WebTierHarness()
        defer { Task { await harness.stop() } }
        let accepted = try APIJSON.decode(JobAccepted.self, from: try await harness.upload(
            [("-1+1.jpg", Self.jpeg), ("b.jpg", Self.jpeg)]).body)
        let first = accepted.images[0]
        harness.service.context.jobs.record(ImageResult(
            jobId: accepted.jobId, imageId: first.imageId, fileName: first.fileName, label: "tabby",
            top5: [Prediction(label: "tabby", score: 0.5)], model: "m", worker: "w", inferenceMs: 1,
            latencyMs: 2, completedAt: 3, error: nil))

        let csv = try await TestHTTPClient.get(port: harness.port, "/api/jobs/\(accepted.jobId)?format=csv")
        #expect(csv.status == 200)
        #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        #expect(csv.header("Content-Disposition") == "attachment; filename=\"job-\(accepted.jobId).csv\"")
        #expect(csv.header("Content-Security-Policy") != nil, "downloads carry the security headers too")
        #expect(csv.text == """
            file,label,score,top5,status,error,imageId\r
            '-1+1.jpg,tabby,0.5,tabby:0.5,done,,\(first.imageId)\r
            b.jpg,,,,pending,,\(accepted.images[1].imageId)\r

            """)

        let json = try await TestHTTPClient.get(port: harness.port, "/api/jobs/\(accepted.jobId)?format=json")
        #expect(json.status == 200)
        #expect(json.header("Content-Disposition") == "attachment; filename=\"job-\(accepted.jobId).json\"")
        let status = try APIJSON.decode(JobStatus.self, from: json.body)
        #expect(status.counts == JobCounts(total: 2, done: 1, failed: 0, pending: 1))

        let plain = try await TestHTTPClient.get(port: harness.port, "/api/jobs/\(accepted.jobId)")
        #expect(plain.header("Content-Disposition") == nil)
        #expect(try APIJSON.decode(JobStatus.self, from: plain.body) == status)

        let xml = try await TestHTTPClient.get(port: harness.port, "/api/jobs/\(accepted.jobId)?format=xml")
        #expect(xml.status == 400 && xml.text.contains("csv or json"), "\(xml.text)")
        let unknown = try await TestHTTPClient.get(port: harness.port, "/api/jobs/\(String(repeating: "0", count: 32))?format=csv")
        #expect(unknown.status == 404 && unknown.header("Content-Disposition") == nil)
    }

    @Test("GET /api/jobs needs the token: 401 without it; with it the newest jobs first, at most web.jobListLimit")
    func listWithToken() async throws {
        let harness = try await WebTierHarness(["web.uploadToken": "list-secret", "web.jobListLimit": "2"])
        defer { Task { await harness.stop() } }
        let bearer = ["Authorization": "Bearer list-secret"]
        var jobIds: [String] = []
        for name in ["one.jpg", "two.jpg", "three.jpg"] {
            let response = try await harness.upload([(name, Self.jpeg)], headers: bearer)
            jobIds.append(try APIJSON.decode(JobAccepted.self, from: response.body).jobId)
            try await Task.sleep(for: .milliseconds(5))  // distinct submission times, so "newest" is defined
        }
        #expect(try await TestHTTPClient.get(port: harness.port, "/api/jobs").status == 401)
        #expect(try await TestHTTPClient.get(port: harness.port, "/api/jobs",
                                             headers: ["Authorization": "Bearer wrong"]).status == 401)
        let listed = try await TestHTTPClient.get(port: harness.port, "/api/jobs", headers: bearer)
        #expect(listed.status == 200, "\(listed.text)")
        let list = try APIJSON.decode(JobList.self, from: listed.body)
        #expect(list.jobs.map(\.jobId) == [jobIds[2], jobIds[1]])
        #expect(list.jobs.allSatisfy { $0.counts == JobCounts(total: 1, done: 0, failed: 0, pending: 1) && !$0.complete })
        let viaCookie = try await TestHTTPClient.get(port: harness.port, "/api/jobs", headers: ["Cookie": "upload_token=list-secret"])
        #expect(viaCookie.status == 200)
    }

    @Test("GET /api/jobs without a configured token is refused (403): no one may list other people's jobs")
    func listWithoutToken() async throws {
        let harness = try await WebTierHarness()
        defer { Task { await harness.stop() } }
        _ = try await harness.upload([("one.jpg", Self.jpeg)])
        let response = try await TestHTTPClient.get(port: harness.port, "/api/jobs")
        #expect(response.status == 403 && response.text.contains("web.uploadToken"), "\(response.text)")
    }

    @Test("POST /api/session checks the token and sets the HttpOnly cookie; a wrong token gets 401 and no cookie")
    func session() async throws {
        let harness = try await WebTierHarness(["web.uploadToken": "session-secret"])
        defer { Task { await harness.stop() } }
        let wrong = try await TestHTTPClient.request(port: harness.port, method: "POST", path: "/api/session",
                                                     headers: ["Authorization": "Bearer nope"])
        #expect(wrong.status == 401 && wrong.header("Set-Cookie") == nil)
        let right = try await TestHTTPClient.request(port: harness.port, method: "POST", path: "/api/session",
                                                     headers: ["Authorization": "Bearer session-secret"])
        #expect(right.status == 204)
        #expect(right.header("Set-Cookie") == "upload_token=session-secret; Path=/; HttpOnly; SameSite=Strict")
    }

    @Test("an upload the client abandons mid-body (the page's Cancel) keeps nothing: no object, no message, memory budget back to zero")
    func abandonedUpload() async throws {
        let harness = try await WebTierHarness(["web.intakeMemoryBytes": "200000"])
        defer { Task { await harness.stop() } }
        var form = MultipartBody()
        for index in 0..<6 {
            form.addFile(field: "files", fileName: "photo-\(index).jpg",
                         bytes: Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: UInt8(index), count: 100_000)))
        }
        try await TestHTTPClient.abandonedUpload(port: harness.port, path: "/api/jobs", form, sentBytes: 450_000)

        let deadline = ContinuousClock.now + .seconds(30)
        var metrics = ""
        repeat {
            metrics = try await TestHTTPClient.get(port: harness.port, "/metrics").text
            if metrics.contains("webtier_upload_requests_total 1"), metrics.contains("webtier_intake_in_flight 0") { break }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < deadline
        #expect(metrics.contains("webtier_upload_requests_total 1") && metrics.contains("webtier_intake_in_flight 0"), "\(metrics)")
        #expect(metrics.contains("webtier_images_accepted_total 0"))
        #expect(harness.service.context.memoryBudget.bytesInUse == 0, "the parts read before the client left are released")
        #expect(try await harness.inputObjects().isEmpty)
        #expect(try await harness.requestQueueCount() == 0)
        #expect(harness.service.context.jobs.jobCount == 0)
    }

    @Test("POST /api/session without a configured token: 204 and no cookie (nothing to authorise)")
    func sessionWithoutToken() async throws {
        let harness = try await WebTierHarness()
        defer { Task { await harness.stop() } }
        let response = try await TestHTTPClient.request(port: harness.port, method: "POST", path: "/api/session")
        #expect(response.status == 204 && response.header("Set-Cookie") == nil)
    }
}
