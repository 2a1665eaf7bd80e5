import Foundation

/// One poll of the simulated cloud: how many of the fleet's instances moto shows in each state,
/// and how many worker processes are alive.
public struct EC2SimulatorSample: Sendable, Equatable {
    /// Seconds since the simulator started.
    public var seconds: Double
    /// Instance count per EC2 state name (`pending`, `running`, `shutting-down`, `terminated`).
    public var states: [String: Int]
    public var workersRunning: Int
    /// Worker restarts by the simulated supervisor so far.
    public var workerRestarts: Int

    public init(seconds: Double, states: [String: Int], workersRunning: Int, workerRestarts: Int = 0) {
        self.seconds = seconds
        self.states = states
        self.workersRunning = workersRunning
        self.workerRestarts = workerRestarts
    }

    /// Pending plus running: what the fleet pays for and counts as capacity.
    public var live: Int { (states["pending"] ?? 0) + (states["running"] ?? 0) }
}

/// What happened to one instance's worker.
public struct EC2SimulatedWorker: Sendable {
    public var instanceID: String
    public var name: String?
    /// The current process (a restart replaces it; the earlier ones' logs stay on disk).
    public var process: ChildProcess
    public var metadata: InstanceMetadataEndpoint
    /// Seconds since the simulator started.
    public var startedAt: Double
    /// Set once moto showed the instance shutting down or terminated.
    public var instanceEndedAt: Double?
    /// Times the supervisor started the worker again after a failure.
    public var restarts = 0
    /// When the current process was first seen failed (the restart is due `restartDelay` later).
    public var failedAt: Double?
    /// Whether the simulator had to signal the worker (it had not exited within the grace).
    public var signalled = false
    /// Times the instance was started again after a stop (a warm-pool member), and when the
    /// current start was first listed.
    public var starts = 0
    public var startSeenAt: Double?
}

extension Array where Element == EC2SimulatorSample {
    /// `seconds,pending,running,shutting-down,terminated,workers,restarts` lines, for a chart.
    public var csv: String {
        let states = ["pending", "running", "shutting-down", "terminated"]
        let header = "seconds," + states.joined(separator: ",") + ",workers,restarts"
        let rows = map { sample in
            String(format: "%.2f", sample.seconds) + ","
                + states.map { String(sample.states[$0] ?? 0) }.joined(separator: ",") + ",\(sample.workersRunning),\(sample.workerRestarts)"
        }
        return ([header] + rows).joined(separator: "\n") + "\n"
    }
}
