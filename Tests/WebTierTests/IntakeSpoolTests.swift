import Foundation
import Pipeline
import Testing
import TestSupport
import WebTier
#if canImport(Glibc)
import Glibc
#endif

/// Upload spool files: in the web tier's own directory under `web.spoolDirectory`, bounded on disk
/// by `web.spoolDiskBytes` (503 with Retry-After past it), and what a killed web tier left behind
/// is removed when the next one starts.
@Suite("Intake spool directory and disk budget", .serialized)
struct IntakeSpoolTests {
    static func jpeg(_ size: Int, seed: UInt8) -> Data {
        Data([0xFF, 0xD8, 0xFF, 0xE0] + (0..<(size - 4)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) })
    }

    static func temporaryRoot() -> String {
        var template = Array((NSTemporaryDirectory() + "/spool-test-XXXXXX").utf8CString)
        return String(cString: mkdtemp(&template)!)
    }

    static func spoolFiles(under root: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        return (enumerator?.allObjects as? [String] ?? []).filter { ($0 as NSString).lastPathComponent.hasPrefix("multipart-") }
    }

    @Test("spool files go to the web tier's own directory under web.spoolDirectory, not the temporary directory's top level")
    func ownDirectory() async throws {
        let root = Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let harness = try await WebTierHarness(["web.spoolDirectory": root, "web.intakeMemoryBytes": "0"])
        defer { Task { await harness.stop() } }
        let spool = harness.service.context.spoolDirectory
        #expect(spool.path.hasPrefix(root + "/"))
        #expect(SpoolDirectory.defaultRoot(temporaryDirectory: "/tmp/") == "/tmp/elastic-classifier-spool")
        let response = try await harness.upload([("a.jpg", Self.jpeg(200_000, seed: 1))])
        #expect(response.status == 202, "\(response.text)")
        #expect(spool.files.isEmpty, "the spool file is removed once the request is answered")
    }

    @Test("past web.spoolDiskBytes an upload is refused with 503 and Retry-After, stores nothing, and leaves no file")
    func diskBudgetRefuses() async throws {
        let root = Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let harness = try await WebTierHarness(["web.spoolDirectory": root, "web.intakeMemoryBytes": "0",
                                                "web.spoolDiskBytes": "300000"])
        defer { Task { await harness.stop() } }
        let refused = try await harness.upload([("a.jpg", Self.jpeg(200_000, seed: 1)), ("b.jpg", Self.jpeg(200_000, seed: 2))])
        #expect(refused.status == 503, "\(refused.text)")
        #expect(Int(refused.header("Retry-After") ?? "") ?? 0 >= 1)
        #expect(refused.text.contains("300000"), "the message names the limit: \(refused.text)")
        #expect(try await harness.inputObjects().isEmpty)
        #expect(harness.service.context.spoolBudget.bytesInUse == 0)
        #expect(Self.spoolFiles(under: root).isEmpty)

        let accepted = try await harness.upload([("a.jpg", Self.jpeg(200_000, seed: 1))])
        #expect(accepted.status == 202, "one file fits: \(accepted.text)")
        let course = try await harness.upload([("c.jpg", Self.jpeg(400_000, seed: 3))], field: "myfile", path: "/")
        #expect(course.status == 503 && course.header("Retry-After") != nil, "POST / too: \(course.status) \(course.text)")
    }

    @Test("100 connections stalled before their closing boundary with 20 small files each: every byte held is within web.intakeMemoryBytes or on disk in the spool budget, and all comes back when they go")
    func stalledSmallFilesAreBudgeted() async throws {
        let root = Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let capacity = 256 * 1024
        let harness = try await WebTierHarness(["web.spoolDirectory": root, "web.intakeMemoryBytes": "\(capacity)"])
        defer { Task { await harness.stop() } }
        let context = harness.service.context
        let (connections, files, size) = (100, 20, 4000)
        let boundary = "stalled-small-files"
        var body: [UInt8] = []
        for index in 0..<files {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"f\(index).jpg\"\r\n\r\n".utf8)
            body += Array(Self.jpeg(size, seed: UInt8(index))) + Array("\r\n".utf8)
        }
        // Every file is complete once the next delimiter begins; the closing "--" never comes.
        body += Array("--\(boundary)".utf8)
        let request = Array(("POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\n"
            + "Content-Length: \(body.count + 4)\r\n\r\n").utf8) + body
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        for _ in 0..<connections {
            let fd = LoopbackSocket.connect(port: harness.port)
            try #require(fd >= 0)
            sockets.append(fd)
            #expect(LoopbackSocket.writeAll(fd, request))
        }
        let total = connections * files * size
        let held = { context.memoryBudget.bytesInUse + context.spoolBudget.bytesInUse }
        let allCounted = try await Self.waitFor { held() == total }
        #expect(allCounted, "every file held is counted: \(context.memoryBudget.bytesInUse) in memory + \(context.spoolBudget.bytesInUse) on disk of \(total)")
        #expect(context.memoryBudget.bytesInUse <= capacity)
        #expect(context.spoolBudget.bytesInUse >= total - capacity, "the rest waits on disk")
        let metrics = try await TestHTTPClient.get(port: harness.port, "/metrics").text
        #expect(metrics.contains("webtier_intake_held_bytes{where=\"spool\"} \(context.spoolBudget.bytesInUse)\n"))

        for fd in sockets { close(fd) }
        sockets = []
        let released = try await Self.waitFor { held() == 0 && context.spoolDirectory.files.isEmpty }
        #expect(released, "abandoned uploads give memory and disk back")
    }

    @Test("at start, the spool directories of dead web tiers are removed; a live one's is kept")
    func leftoversRemovedAtStart() async throws {
        let root = Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A dead web tier's directory: its lock file exists but nobody holds it.
        let dead = root + "/12345-dead01"
        try FileManager.default.createDirectory(atPath: dead, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dead + "/.lock", contents: nil)
        FileManager.default.createFile(atPath: dead + "/multipart-AbCdEf", contents: Data(count: 1000))
        // A live one: its lock is held (by this test, as a running web tier would).
        let live = root + "/67890-live01"
        try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)
        let lock = open(live + "/.lock", O_RDWR | O_CREAT, 0o600)
        #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
        defer { close(lock) }
        FileManager.default.createFile(atPath: live + "/multipart-GhIjKl", contents: Data(count: 1000))

        let harness = try await WebTierHarness(["web.spoolDirectory": root])
        defer { Task { await harness.stop() } }
        #expect(!FileManager.default.fileExists(atPath: dead), "the dead web tier's spool files are gone")
        #expect(FileManager.default.fileExists(atPath: live + "/multipart-GhIjKl"), "a running web tier's files stay")
        #expect(FileManager.default.fileExists(atPath: harness.service.context.spoolDirectory.path))
    }

    @Test("a web tier killed with SIGKILL mid-upload leaves its spool file; the next web tier removes it at start",
          .enabled(if: FileManager.default.isExecutableFile(atPath: WebTierHarness.executable("webtier").path)))
    func killedMidUpload() async throws {
        let root = Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let moto = try await MotoServer.shared()
        let prefix = MotoNames.unique("spool")
        let settings = ["queues.requestQueue": "\(prefix)-req", "queues.responseQueue": "\(prefix)-resp",
                        "queues.deadLetterQueue": "\(prefix)-dlq", "storage.inputBucket": "\(prefix)-in",
                        "storage.outputBucket": "\(prefix)-out", "web.listenAddress": "127.0.0.1",
                        "web.spoolDirectory": root, "web.intakeMemoryBytes": "0"]
        let child = try ChildProcess(
            name: "webtier-spool", executable: WebTierHarness.executable("webtier"),
            arguments: ["--endpoint", moto.endpoint.absoluteString, "--port", "0", "--no-autoscaler", "--config",
                        TestPaths.repositoryRoot.appendingPathComponent("Config/local.json").path]
                + settings.sorted { $0.key < $1.key }.flatMap { ["--set", "\($0.key)=\($0.value)"] })
        defer { child.signal(SIGKILL) }
        let port = try await Self.waitForListening(child)

        // Half an upload: the head and 300 kB of a file, then silence.
        let fd = LoopbackSocket.connect(port: port)
        #expect(fd >= 0)
        defer { close(fd) }
        let boundary = "spool-kill-test"
        let head = "POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\n"
            + "Content-Length: 2000000\r\n\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.jpg\"\r\n\r\n"
        #expect(LoopbackSocket.writeAll(fd, Array(head.utf8) + Array(Self.jpeg(300_000, seed: 4))))
        let spooled = try await Self.waitFor { !Self.spoolFiles(under: root).isEmpty }
        #expect(spooled, "the upload reached a spool file under \(root)")

        child.signal(SIGKILL)
        _ = await child.waitForExit(timeout: .seconds(30))
        let left = Self.spoolFiles(under: root)
        #expect(!left.isEmpty, "SIGKILL leaves the spool file behind")

        let next = try await WebTierHarness(["web.spoolDirectory": root])
        defer { Task { await next.stop() } }
        #expect(Self.spoolFiles(under: root).isEmpty, "the next web tier removed \(left)")
    }

    static func waitForListening(_ child: ChildProcess) async throws -> UInt16 {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let line = child.output.split(separator: "\n").first(where: { $0.hasPrefix("LISTENING ") }),
               let port = UInt16(line.dropFirst("LISTENING ".count).trimmingCharacters(in: .whitespaces)) {
                return port
            }
            guard child.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestHTTPClient.Failure(description: "webtier did not start: \(child.output.suffix(2000))")
    }

    static func waitFor(_ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}
