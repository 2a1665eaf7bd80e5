import Foundation
@testable import HTTPServer
import Logging
import Pipeline
import Testing
import TestSupport
@testable import WebTier

/// Intake (`JobSubmitter`) and job rebuild (`JobArchive`) over in-memory seams: fast checks of
/// what is stored, queued and deleted, beside the moto tests that prove the real wire.
@Suite("Intake and job rebuild over an in-memory store and queue")
struct IntakeInMemoryTests {
    static let inputBucket = "in"
    static let outputBucket = "out"

    /// A queue that refuses the sends at `refused` (by position), as SQS reports failed batch entries.
    struct RefusingQueue: JobQueue {
        let wrapped: InMemoryJobQueue
        let refused: Set<Int>

        func receive(maxMessages: Int, waitSeconds: Int) async throws -> [QueuedMessage] {
            try await wrapped.receive(maxMessages: maxMessages, waitSeconds: waitSeconds)
        }
        func delete(_ message: QueuedMessage) async throws { try await wrapped.delete(message) }
        func changeVisibility(of message: QueuedMessage, seconds: Int) async throws {
            try await wrapped.changeVisibility(of: message, seconds: seconds)
        }
        func send(_ bodies: [String]) async throws -> [QueueSendFailure] {
            _ = try await wrapped.send(bodies.enumerated().filter { !refused.contains($0.offset) }.map(\.element))
            return refused.sorted().map { QueueSendFailure(index: $0, code: "InternalError", message: "refused by the test") }
        }
        func depth() async throws -> QueueDepth { try await wrapped.depth() }
    }

    /// A JPEG-signed part: in memory, or spooled to a file when `spooled`.
    static func part(_ name: String, bytes: [UInt8], spooled: Bool) throws -> MultipartPart {
        let head = try MultipartPartHead(headers: [
            "Content-Disposition": "form-data; name=\"images\"; filename=\"\(name)\"", "Content-Type": "image/jpeg",
        ])
        guard spooled else { return MultipartPart(head: head, size: bytes.count, storage: .memory(bytes)) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("intake-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return MultipartPart(head: head, size: bytes.count, storage: .file(path: path))
    }

    static func upload(_ files: [(name: String, bytes: [UInt8], spooled: Bool)]) throws -> ReceivedUpload {
        var upload = ReceivedUpload()
        for (index, file) in files.enumerated() {
            upload.candidates.append(ReceivedUpload.Candidate(
                index: index, clientName: file.name, safeName: file.name, signature: .jpeg,
                part: try part(file.name, bytes: file.bytes, spooled: file.spooled)))
        }
        return upload
    }

    static func submitter(store: any ObjectStore, requests: any JobQueue, jobs: JobStore = JobStore()) -> JobSubmitter {
        JobSubmitter(store: store, requests: requests, inputBucket: inputBucket, jobs: jobs, metrics: WebMetrics(),
                     logger: Logger(label: "intake-in-memory"))
    }

    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 7, count: 100)

    @Test("each image is stored byte for byte with its record, in memory or spooled, then queued once")
    func storedThenQueued() async throws {
        let store = InMemoryObjectStore()
        let queue = InMemoryJobQueue()
        let upload = try Self.upload([("a.jpg", Self.jpeg, false), ("b.jpg", Self.jpeg + [1, 2], true)])
        let accepted = try await Self.submitter(store: store, requests: queue).submit(upload)

        #expect(accepted.images.map(\.index) == [0, 1] && accepted.rejected.isEmpty)
        let jobs = try queue.bodies.map { try MessageCodec.decodeJob($0) }
        #expect(Set(jobs.map(\.imageId)) == Set(accepted.images.map(\.imageId)))
        for job in jobs {
            let stored = try #require(store.object(bucket: Self.inputBucket, key: job.key))
            let image = try #require(accepted.images.first { $0.imageId == job.imageId })
            let original = try upload.candidates[image.index].part.contents()
            #expect(stored.body == Data(original))
            let record = try StoredImageRecord.parse(key: job.key, jobId: accepted.jobId, metadata: stored.metadata)
            #expect(record.image == image)
        }
    }

    @Test("an image stored but refused by the queue is reported and its object deleted again")
    func unqueuedImageIsDeleted() async throws {
        let store = InMemoryObjectStore()
        let queue = RefusingQueue(wrapped: InMemoryJobQueue(), refused: [1])
        let upload = try Self.upload([("a.jpg", Self.jpeg, false), ("b.jpg", Self.jpeg, false)])
        let accepted = try await Self.submitter(store: store, requests: queue).submit(upload)

        #expect(accepted.images.map(\.index) == [0])
        #expect(accepted.rejected.map(\.index) == [1])
        #expect(accepted.rejected.first?.reason.contains("could not be queued") == true)
        #expect(store.keys(bucket: Self.inputBucket).count == 1, "only the queued image stays stored")
        #expect(queue.wrapped.bodies.count == 1)
    }

    @Test("a job is rebuilt from the store: its images from their records, its results from the output bucket")
    func rebuildFromTheStore() async throws {
        let store = InMemoryObjectStore()
        let upload = try Self.upload([("a.jpg", Self.jpeg, false), ("b.jpg", Self.jpeg, true)])
        let accepted = try await Self.submitter(store: store, requests: InMemoryJobQueue()).submit(upload)
        let answered = try #require(accepted.images.first)
        let result = ResultMessage(jobId: accepted.jobId, imageId: answered.imageId, fileName: answered.fileName,
                                   label: "tabby", top5: [Prediction(label: "tabby", score: 0.9)],
                                   model: "m", worker: "w", inferenceMs: 1)
        try await store.put(bucket: Self.outputBucket, key: ObjectNaming.resultKey(jobId: accepted.jobId, imageId: answered.imageId),
                            body: Data(MessageCodec.encode(result).utf8), contentType: "application/json", metadata: [:])

        let archive = JobArchive(store: store, inputBucket: Self.inputBucket, outputBucket: Self.outputBucket)
        let status = try #require(try await archive.rebuild(jobId: accepted.jobId))
        #expect(status.images == accepted.images)
        #expect(status.results.map(\.imageId) == [answered.imageId])
        #expect(status.results.first?.label == "tabby")
        #expect(!status.complete)
        #expect(try await archive.rebuild(jobId: ObjectNaming.newID()) == nil, "a job with no stored image is unknown")
    }
}
