import Foundation
import Synchronization

/// When each worker was last heard from, fed by the result poller (workers send heartbeats on the
/// response queue) and read by the controller's `HeartbeatRule` every tick. Receipt time is
/// recorded, not the worker's own clock: a worker with a skewed clock must not look silent.
public final class WorkerHeartbeats: Sendable {
    /// When listening began; silence before it is not held against anyone.
    public let watchingSince: Date
    private let lastHeard = Mutex<[String: Date]>([:])
    /// Names not heard from for this long are forgotten (their instances are long gone), so the
    /// table stays as small as the fleet.
    private let forgetAfterSeconds: Double

    public init(watchingSince: Date = Date(), forgetAfterSeconds: Double = 3600) {
        self.watchingSince = watchingSince
        self.forgetAfterSeconds = forgetAfterSeconds
    }

    public func record(worker: String, at time: Date = Date()) {
        lastHeard.withLock { table in
            table[worker] = max(table[worker] ?? time, time)
            if table.count > 64 {
                table = table.filter { time.timeIntervalSince($0.value) < forgetAfterSeconds }
            }
        }
    }

    /// The last heartbeat of each worker heard from.
    public func snapshot() -> [String: Date] {
        lastHeard.withLock { $0 }
    }
}
