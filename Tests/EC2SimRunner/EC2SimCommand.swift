import ArgumentParser
import AWS
import Dispatch
import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `ec2sim`: plays the cloud for a web tier running `fleet.kind` ec2 against moto. Every instance
/// of the fleet that moto lists gets a real `apptier` (after the boot delay) with its own loopback
/// metadata endpoint; a terminated instance's worker is stopped. Prints the fleet whenever it
/// changes; runs until SIGINT or SIGTERM, then stops every worker it started.
@main
struct EC2SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ec2sim",
        abstract: "Boots a real apptier for every instance a web tier launches in moto (scripts/ec2-sim).")

    @Option(help: "moto's endpoint (loopback), e.g. http://127.0.0.1:5005.")
    var endpoint: String

    @Option(help: "The web tier's fleet.fleetTag.")
    var fleetTag: String

    @Option(help: "The apptier executable to start on each instance.")
    var apptier: String

    @Option(help: "The endpoint the workers use for AWS (default: --endpoint), e.g. a fault proxy in front of moto.")
    var workerEndpoint: String?

    @Option(help: "Seconds from an instance's launch until its worker starts.")
    var bootDelay = 2.0

    @Option(help: "Seconds from a stopped instance's start until its worker starts again (warm pool).")
    var startDelay = 1.0

    @Option(help: "Write the timeline (instances per state over time) as CSV here on exit.")
    var timeline: String?

    @Argument(parsing: .postTerminator, help: "Arguments for every apptier (after --); the simulator adds worker.mode and aws.metadataEndpoint.")
    var workerArguments: [String] = []

    func validate() throws {
        for (name, value) in [("--endpoint", endpoint), ("--worker-endpoint", workerEndpoint ?? endpoint)] {
            guard let url = URL(string: value), let host = url.host,
                  host == "127.0.0.1" || host == "localhost" || host == "::1" else {
                throw ValidationError("\(name) must be a loopback URL (moto or a proxy in front of it), got '\(value)'")
            }
        }
        guard bootDelay >= 0 else { throw ValidationError("--boot-delay must not be negative") }
        guard startDelay >= 0 else { throw ValidationError("--start-delay must not be negative") }
    }

    func run() async throws {
        var settings = EC2SimulatorSettings(fleetTag: fleetTag, workerExecutable: URL(fileURLWithPath: apptier),
                                            workerArguments: ["--endpoint", workerEndpoint ?? endpoint] + workerArguments)
        settings.bootDelay = .milliseconds(Int(bootDelay * 1000))
        settings.startDelay = .milliseconds(Int(startDelay * 1000))
        let ec2 = EC2Client(configuration: AWSClientConfiguration(
            region: MotoServer.region, endpointURL: URL(string: endpoint)!,
            credentialsProvider: StaticCredentialsProvider(MotoServer.testCredentials), retryPolicy: .none))
        let simulator = EC2Simulator(ec2: ec2, settings: settings)
        await simulator.start()
        Self.say("ec2sim: watching fleet '\(fleetTag)' on \(endpoint), boot delay \(bootDelay) s")

        let stopRequested = Self.terminationSignal()
        var printed: EC2SimulatorSample?
        var printedCount = 0
        var printedFailures = 0
        while !stopRequested.isSet {
            try? await Task.sleep(for: .milliseconds(250))
            let failures = await simulator.failedWorkerLogs()
            for failure in failures.dropFirst(printedFailures) { Self.say("ec2sim: " + failure) }
            printedFailures = failures.count
            let samples = await simulator.timeline
            guard samples.count > printedCount, let last = samples.last else { continue }
            printedCount = samples.count
            if last.states != printed?.states || last.workersRunning != printed?.workersRunning
                || last.workerRestarts != printed?.workerRestarts {
                let states = ["pending", "running", "stopping", "stopped", "shutting-down", "terminated"]
                    .map { "\($0)=\(last.states[$0] ?? 0)" }.joined(separator: " ")
                Self.say(String(format: "ec2sim: t=%6.1fs ", last.seconds) + states + " workers=\(last.workersRunning) restarts=\(last.workerRestarts)")
                printed = last
            }
        }
        Self.say("ec2sim: stopping the workers")
        await simulator.shutdown()
        if let timeline {
            try await simulator.timeline.csv.write(toFile: timeline, atomically: true, encoding: .utf8)
            Self.say("ec2sim: timeline in \(timeline)")
        }
    }

    /// Unbuffered, so the lines reach a pipe or a log file as they happen.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// A flag set by SIGINT or SIGTERM (their default actions are replaced, so the workers are
    /// stopped before we exit).
    static func terminationSignal() -> SignalFlag {
        let flag = SignalFlag()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { flag.set() }
            source.resume()
            flag.retain(source)
        }
        return flag
    }
}

/// Set once, read by the main loop.
final class SignalFlag: @unchecked Sendable {
    // @unchecked: `value` and `sources` are only touched under `lock`.
    private let lock = NSLock()
    private var value = false
    private var sources: [any DispatchSourceSignal] = []

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
    func retain(_ source: any DispatchSourceSignal) { lock.withLock { sources.append(source) } }
}
