import Foundation

/// What `EC2Simulator` plays: which instances are its to boot (by fleet tag), how long a boot
/// takes, and how each instance's `apptier` is started.
public struct EC2SimulatorSettings: Sendable {
    /// The tag that marks the fleet's instances (`EC2Fleet.fleetTagKey`; TestSupport does not
    /// import WebTier, so the key is spelled here and checked against it by the tests).
    public var tagKey = "elastic-classifier:fleet"
    /// The tag's value: the web tier's `fleet.fleetTag`.
    public var fleetTag: String
    /// From the first listing that shows an instance until its worker starts (EC2's boot).
    public var bootDelay: Duration = .seconds(1)
    /// From the first listing that shows a stopped instance active again (StartInstances) until
    /// its worker starts: the warm pool's start, shorter than a boot.
    public var startDelay: Duration = .seconds(1)
    /// Between two DescribeInstances calls.
    public var pollInterval: Duration = .milliseconds(250)
    /// How long a worker whose instance moto shows terminated may take to exit by itself (after
    /// its own TerminateInstances it is on its way out) before the simulator sends SIGTERM, as
    /// an instance's shutdown would.
    public var exitGrace: Duration = .seconds(3)
    /// A worker that exits non-zero while its instance runs is started again after this long,
    /// as the AMI's unit does (`Restart=on-failure`, `RestartSec=5`: scripts/ami/apptier.service).
    /// Nil: no supervisor, the instance stays up with no worker (the heartbeat rule's case).
    public var restartDelay: Duration? = .seconds(5)
    /// The `apptier` to start on every booted instance.
    public var workerExecutable: URL
    /// Its arguments (configuration, endpoint, `--set`s). The simulator appends
    /// `--set worker.mode=ec2 --set aws.metadataEndpoint=<the instance's endpoint>`.
    public var workerArguments: [String]
    /// Added to the worker's environment (`ChildProcess` already disables the real metadata
    /// address and supplies test keys).
    public var workerEnvironment: [String: String] = [:]

    public init(fleetTag: String, workerExecutable: URL, workerArguments: [String]) {
        self.fleetTag = fleetTag
        self.workerExecutable = workerExecutable
        self.workerArguments = workerArguments
    }
}
