import Foundation

extension EC2Simulator {
    /// Lines of a failed worker's log kept: enough for the error it exited with.
    static let failureLogLines = 4

    /// Every worker failure so far (a non-zero exit while its instance ran): which instance, the
    /// status, and the last lines of its log, so a run's output says why without opening files.
    public func failedWorkerLogs() -> [String] { failureLog }

    func noteFailure(of worker: EC2SimulatedWorker, status: Int32, at now: Double) {
        let tail = worker.process.output.split(separator: "\n", omittingEmptySubsequences: true)
            .suffix(Self.failureLogLines).map { "    " + $0 }
        let when = String(format: "%.1f", now)
        failureLog.append("worker of \(worker.instanceID) (\(worker.name ?? "?")) exited with status \(status) at t=\(when)s;"
                          + " last lines of \(worker.process.logFile.path):\n" + tail.joined(separator: "\n"))
    }
}
