import AWS
import AWSBackends
import Foundation
import Logging
import Pipeline
import TestSupport
@testable import WebTier

/// One isolated deployment on the shared moto for the fleet and autoscaler tests: its own queues,
/// buckets and fleet tag (unique names), a fast-polling configuration, and helpers to submit real
/// photos and collect results the way the web tier does.
struct FleetTestDeployment {
    let moto: MotoServer
    let clients: AWSClients
    let configuration: Configuration
    let resources: ProvisionedResources
    let logDirectory: URL

    /// Warnings and errors only: the fleets and the controller log every launch at info level.
    static var logger: Logger {
        var logger = Logger(label: "fleet-tests")
        logger.logLevel = .warning
        return logger
    }

    /// An AMI from moto's built-in catalogue.
    static let imageId = "ami-03cf127a"

    /// The environment every worker gets: never the real metadata address, explicit test keys.
    static var workerEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["AWS_ACCESS_KEY_ID"] = environment["AWS_ACCESS_KEY_ID"] ?? "testing"
        environment["AWS_SECRET_ACCESS_KEY"] = environment["AWS_SECRET_ACCESS_KEY"] ?? "testing"
        return environment
    }

    /// `settings` are overrides on top of a fast-polling test configuration.
    init(_ settings: [String: String] = [:]) async throws {
        moto = try await MotoServer.shared()
        let (prefix, isolated) = MotoDeploymentOverrides.isolated("fleet")
        var overrides = isolated
        overrides.merge([
            "queues.visibilityTimeoutSeconds": "30", "worker.maxEmptyPollsBeforeShutdown": "3",
            "worker.drainSeconds": "5", "worker.parallelism": "1", "worker.receiveBatchSize": "1",
            "fleet.fleetTag": prefix, "fleet.workerExecutable": Self.workerExecutable.path,
            "fleet.ec2.imageId": Self.imageId,
            "scaling.intervalSeconds": "0.5", "scaling.launchCooldownSeconds": "0",
        ]) { _, new in new }
        overrides.merge(settings) { _, new in new }
        configuration = try ConfigurationLoader().load(environment: ["ELASTIC_ENDPOINT": moto.endpoint.absoluteString],
                                                       overrides: overrides)
        clients = AWSClients(configuration: moto.configuration())
        resources = try await ProvisionedResources.prepare(configuration, clients: clients)
        // Kept after the run (the workers' logs explain a failure), grouped under one directory.
        logDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("elastic-classifier-fleet-tests").appendingPathComponent(prefix)
    }

    /// A path for a helper file (script, user data) in this deployment's log directory.
    func scratchFile(_ name: String) throws -> URL {
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        return logDirectory.appendingPathComponent(name)
    }

    static var workerExecutable: URL { TestPaths.builtExecutable("apptier") }

    /// A local fleet of real `apptier` workers running this deployment's configuration.
    func localFleet(grace: Duration = .seconds(10)) throws -> LocalProcessFleet {
        // The endpoint as an override too: an ELASTIC_ENDPOINT in the test's environment would
        // otherwise beat the configuration file in the worker.
        try LocalProcessFleet.make(configuration: configuration, logDirectory: logDirectory,
                                   extraOverrides: ["aws.endpointURL": moto.endpoint.absoluteString],
                                   environment: Self.workerEnvironment, terminationGrace: grace,
                                   logger: Self.logger)
    }

    /// An EC2 fleet on moto's EC2 with this deployment's fleet tag.
    func ec2Fleet(_ settings: FleetSettings? = nil) throws -> EC2Fleet {
        try EC2Fleet(client: clients.ec2, settings: settings ?? configuration.fleet, logger: Self.logger)
    }

    /// A real `apptier` in EC2 mode for `instanceID` (DESIGN.md's harness): its loopback IMDSv2
    /// endpoint reports that id, so its idle self-termination goes through moto's EC2 API.
    func startEC2Worker(instanceID: String) throws -> (process: ChildProcess, metadata: InstanceMetadataEndpoint) {
        let metadata = try InstanceMetadataEndpoint(instanceID: instanceID)
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let file = logDirectory.appendingPathComponent("ec2-worker-configuration.json")
        try JSONEncoder().encode(configuration).write(to: file, options: .atomic)
        let arguments = ["--config", file.path, "--endpoint", moto.endpoint.absoluteString,
                         "--set", "worker.mode=ec2", "--set", "aws.metadataEndpoint=\(metadata.endpoint.absoluteString)"]
        do {
            let process = try ChildProcess(name: "ec2-\(instanceID)", executable: Self.workerExecutable,
                                           arguments: arguments)
            return (process, metadata)
        } catch {
            metadata.stop()
            throw error
        }
    }

    /// Stores each photo as an upload and enqueues its job, as the web tier does.
    func submit(_ photos: [(name: String, bytes: Data)]) async throws -> [JobMessage] {
        var jobs: [JobMessage] = []
        let jobId = ObjectNaming.newID()
        for photo in photos {
            let imageId = ObjectNaming.newID()
            let key = ObjectNaming.inputKey(jobId: jobId, imageId: imageId, safeFileName: photo.name)
            try await resources.store.put(bucket: resources.inputBucket, key: key, body: photo.bytes,
                                          contentType: "application/octet-stream", metadata: [:])
            jobs.append(JobMessage(jobId: jobId, imageId: imageId, bucket: resources.inputBucket, key: key,
                                   fileName: photo.name, submittedAt: Int64(Date().timeIntervalSince1970 * 1000)))
        }
        let refused = try await resources.requests.send(jobs.map { MessageCodec.encode($0) })
        guard refused.isEmpty else { throw LoopbackHTTP.Failure(description: "jobs refused: \(refused)") }
        return jobs
    }

    /// Receives results until `expected` distinct images have answered or `timeout` passes.
    func collectResults(expected: Int, timeout: Duration) async throws -> [ResultMessage] {
        var results: [String: ResultMessage] = [:]
        let deadline = ContinuousClock.now + timeout
        while results.count < expected, ContinuousClock.now < deadline {
            for message in try await resources.responses.receive(maxMessages: 10, waitSeconds: 1) {
                try await resources.responses.delete(message)
                // Workers' heartbeats share the queue with their results.
                guard case let .result(result) = try MessageCodec.decodeResponse(message.body) else { continue }
                results[result.imageId] = result
            }
        }
        return Array(results.values)
    }

    /// Polls `condition` every 200 ms until it holds or `timeout` passes; returns whether it held.
    static func eventually(timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return try await condition()
    }

    /// The workers' logs, for failure messages.
    func workerLogs() -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: logDirectory.path)) ?? []
        return names.sorted().filter { $0.hasSuffix(".log") }.map { name in
            let text = (try? String(contentsOf: logDirectory.appendingPathComponent(name), encoding: .utf8)) ?? ""
            return "== \(name)\n\(text.suffix(3000))"
        }.joined(separator: "\n")
    }
}

/// Real photos: setup's scikit-image photos and ../shared/photos when present.
enum FleetPhotos {
    static func all() throws -> [(name: String, bytes: Data)] { try TestPhotos.all() }

    /// The first `count` photos, or a failure saying that setup has not fetched them.
    static func first(_ count: Int) throws -> [(name: String, bytes: Data)] {
        let photos = try all()
        guard photos.count >= count else {
            throw LoopbackHTTP.Failure(description: "need \(count) photos in testdata/photos, found \(photos.count) (run scripts/setup)")
        }
        return Array(photos.prefix(count))
    }
}

/// Whether a process with this pid exists (our reaped children are gone; a zombie still counts).
func processExists(_ pid: pid_t) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
}
