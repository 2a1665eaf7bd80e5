import Foundation
import HTTPServer
import Pipeline
import Synchronization

/// The jobs this web tier knows, with their results so far and the WebSockets watching them.
///
/// Recording a result and subscribing a socket happen under one lock, so a socket receives its
/// `snapshot` first and then every later result exactly once, in order; a result that was already
/// recorded (at-least-once delivery) is not sent again. Old jobs are forgotten beyond
/// `capacity`; S3 still has them (`JobArchive`).
public final class JobStore: Sendable {
    struct Record {
        var submittedAt: Int64
        var images: [AcceptedImage]
        var imageIDs: Set<String>
        var results: [ImageResult] = []
        var resultIDs: Set<String> = []

        init(submittedAt: Int64, images: [AcceptedImage]) {
            self.submittedAt = submittedAt
            self.images = images
            self.imageIDs = Set(images.map(\.imageId))
        }

        var status: (String) -> JobStatus {
            { JobStatus(jobId: $0, submittedAt: submittedAt, images: images, results: results) }
        }
    }

    struct State {
        var jobs: [String: Record] = [:]
        /// Job ids oldest first, for forgetting beyond capacity.
        var order: [String] = []
        /// Results for jobs not held (yet): after a restart, a result can arrive between the
        /// rebuild's listing of S3 and its adoption; it waits here instead of being lost.
        var orphans: [String: [ImageResult]] = [:]
        var orphanOrder: [String] = []
    }

    private let state = Mutex(State())
    private let sockets = WSGroups<String>()
    public let capacity: Int
    /// Results kept for jobs not held here, at most.
    public let orphanCapacity: Int

    public init(capacity: Int = 10_000, orphanCapacity: Int = 10_000) {
        self.capacity = capacity
        self.orphanCapacity = orphanCapacity
    }

    /// Adds (or replaces the images of) a job.
    public func register(jobId: String, submittedAt: Int64, images: [AcceptedImage]) {
        state.withLock { state in
            if var record = state.jobs[jobId] {
                record.images = images
                record.imageIDs = Set(images.map(\.imageId))
                state.jobs[jobId] = record
                return
            }
            state.jobs[jobId] = Record(submittedAt: submittedAt, images: images)
            state.order.append(jobId)
            if state.order.count > capacity {
                let dropped = state.order.removeFirst()
                state.jobs[dropped] = nil
            }
        }
    }

    /// Takes in a job rebuilt from S3, merged with whatever arrived meanwhile.
    public func adopt(_ status: JobStatus) {
        register(jobId: status.jobId, submittedAt: status.submittedAt, images: status.images)
        for result in status.results { record(result) }
        let waiting = state.withLock { state in
            state.orphanOrder.removeAll { $0 == status.jobId }
            return state.orphans.removeValue(forKey: status.jobId) ?? []
        }
        for result in waiting { record(result) }
    }

    public func status(of jobId: String) -> JobStatus? {
        state.withLock { state in state.jobs[jobId].map { $0.status(jobId) } }
    }

    public func contains(_ jobId: String) -> Bool { state.withLock { $0.jobs[jobId] != nil } }

    /// What became of a result offered to the store.
    public enum RecordOutcome: Sendable, Equatable {
        /// New for a job and image held here: recorded and sent to the job's sockets.
        case recorded
        /// This image already has a result (at-least-once delivery): the first one stands.
        case duplicate
        /// Not a job (or not an image of a job) held here.
        case unknown
    }

    /// Records a result and sends it to the job's sockets.
    @discardableResult
    public func record(_ result: ImageResult) -> RecordOutcome {
        state.withLock { state in
            guard var record = state.jobs[result.jobId] else {
                Self.keepOrphan(result, in: &state, capacity: orphanCapacity)
                return .unknown
            }
            guard record.imageIDs.contains(result.imageId) else { return .unknown }
            guard record.resultIDs.insert(result.imageId).inserted else { return .duplicate }
            record.results.append(result)
            state.jobs[result.jobId] = record
            if let text = try? APIJSON.encodeString(WebSocketEvent.result(result)) {
                sockets.broadcast(to: result.jobId, .text(text))
            }
            return .recorded
        }
    }

    private static func keepOrphan(_ result: ImageResult, in state: inout State, capacity: Int) {
        if state.orphans[result.jobId] == nil { state.orphanOrder.append(result.jobId) }
        state.orphans[result.jobId, default: []].append(result)
        var kept = state.orphans.values.reduce(0) { $0 + $1.count }
        while kept > capacity, !state.orphanOrder.isEmpty {
            let dropped = state.orphanOrder.removeFirst()
            kept -= state.orphans.removeValue(forKey: dropped)?.count ?? 0
        }
    }

    /// When the job was submitted (for latency), if known.
    public func submittedAt(of jobId: String) -> Int64? {
        state.withLock { $0.jobs[jobId]?.submittedAt }
    }

    /// Sends the job's snapshot on `connection` and subscribes it to later results; false when
    /// the job is not held here.
    public func subscribe(_ connection: WSConnection, to jobId: String) -> Bool {
        state.withLock { state in
            guard let record = state.jobs[jobId] else { return false }
            if let text = try? APIJSON.encodeString(WebSocketEvent.snapshot(record.status(jobId))) {
                connection.send(text: text)
            }
            sockets.join(jobId, connection)
            return true
        }
    }

    public func unsubscribe(_ connection: WSConnection) {
        sockets.leaveAll(connection)
    }

    /// Tells every job socket the server is going away (`shuttingDown`); clients reconnect and
    /// resume from a snapshot.
    public func notifyShutdown() {
        let error = EventError(code: .shuttingDown, message: "the web tier is stopping; reconnect to resume")
        guard let text = try? APIJSON.encodeString(WebSocketEvent.error(error)) else { return }
        for jobId in sockets.keys { sockets.broadcast(to: jobId, .text(text)) }
    }

    public var jobCount: Int { state.withLock { $0.jobs.count } }

    /// The `limit` most recently submitted jobs held here, newest first (a job rebuilt after a
    /// restart sorts by when it was submitted, not when it was rebuilt).
    public func recent(limit: Int) -> [JobStatus] {
        let records = state.withLock { state in
            state.jobs.map { (jobId: $0.key, submittedAt: $0.value.submittedAt, record: $0.value) }
        }
        return records
            .sorted { ($0.submittedAt, $0.jobId) > ($1.submittedAt, $1.jobId) }
            .prefix(max(0, limit))
            .map { $0.record.status($0.jobId) }
    }
}
