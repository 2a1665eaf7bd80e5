import Foundation

/// Stop and start in the simulated cloud. A stopped instance is ended like a terminated one (its
/// worker stopped the instance itself and exits; otherwise the shutdown's SIGTERM comes after
/// `exitGrace`). Listed active again, a stopped instance gets a fresh worker and metadata
/// endpoint `startDelay` later, as a started EC2 instance boots its unit again.
extension EC2Simulator {
    /// Every instance a listing has shown stopped and then active again, with its start count.
    public var startedInstances: [String: Int] {
        workers.filter { $0.value.starts > 0 }.mapValues(\.starts)
    }

    /// An ended instance listed pending or running: it was started (a terminated one never comes back).
    func resumeStarted(_ id: String, at now: Double) {
        guard var worker = workers[id], worker.instanceEndedAt != nil else { return }
        guard let seen = worker.startSeenAt else {
            worker.startSeenAt = now
            workers[id] = worker
            return
        }
        guard now - seen >= Self.seconds(settings.startDelay), !worker.process.isRunning else { return }
        boot(id, at: now)
        guard var started = workers[id], started.instanceEndedAt == nil else { return }
        started.starts = worker.starts + 1
        started.restarts = worker.restarts
        workers[id] = started
    }
}
