import AppTier
import AWS
import AWSBackends
import Foundation
import Pipeline
import TestSupport

/// One isolated app-tier deployment on the shared moto: its own queues and buckets (unique names),
/// real `apptier` processes, and helpers to submit images and collect results the way the web
/// tier does.
struct WorkerHarness {
    let moto: MotoServer
    let clients: AWSClients
    let configuration: Configuration
    let resources: ProvisionedResources
    let overrides: [String: String]

    /// `settings` are `--set` overrides on top of a fast-polling test configuration.
    init(_ settings: [String: String] = [:]) async throws {
        moto = try await MotoServer.shared()
        var overrides = MotoDeploymentOverrides.isolated("app").overrides
        overrides.merge([
            "queues.visibilityTimeoutSeconds": "20", "worker.maxEmptyPollsBeforeShutdown": "1000",
            "worker.drainSeconds": "10",
        ]) { _, new in new }
        overrides.merge(settings) { _, new in new }
        self.overrides = overrides
        configuration = try ConfigurationLoader().load(environment: ["ELASTIC_ENDPOINT": moto.endpoint.absoluteString],
                                                       overrides: overrides)
        clients = AWSClients(configuration: moto.configuration())
        resources = try await ProvisionedResources.prepare(configuration, clients: clients)
    }

    static var workerExecutable: URL { TestPaths.builtExecutable("apptier") }
    /// The worker with every classification delayed (`Tests/SlowAppTier`).
    static var slowWorkerExecutable: URL { TestPaths.builtExecutable("SlowAppTier") }

    /// Starts a worker process; `extra` overrides this worker's settings only. With
    /// `inferenceDelay`, the worker is the slow test build that sleeps that long in every
    /// classification (so a test can stop or kill it mid-job).
    func startWorker(_ name: String, extra: [String: String] = [:], environment: [String: String] = [:],
                     endpoint: URL? = nil, inferenceDelay: Duration? = nil) throws -> ChildProcess {
        var settings = overrides
        settings.merge(extra) { _, new in new }
        var arguments = ["--endpoint", (endpoint ?? moto.endpoint).absoluteString]
            + settings.sorted { $0.key < $1.key }.flatMap { ["--set", "\($0.key)=\($0.value)"] }
        var executable = Self.workerExecutable
        if let inferenceDelay {
            executable = Self.slowWorkerExecutable
            arguments = ["--inference-delay-ms", "\(Int(inferenceDelay / .milliseconds(1)))"] + arguments
        }
        return try ChildProcess(name: name, executable: executable, arguments: arguments, environment: environment)
    }

    /// Stores `bytes` as an uploaded image and enqueues its job, as the web tier does.
    @discardableResult
    func submit(_ bytes: Data, fileName: String, jobId: String = ObjectNaming.newID()) async throws -> JobMessage {
        let imageId = ObjectNaming.newID()
        let key = ObjectNaming.inputKey(jobId: jobId, imageId: imageId, safeFileName: fileName)
        try await resources.store.put(bucket: resources.inputBucket, key: key, body: bytes,
                                      contentType: "application/octet-stream", metadata: [:])
        let job = JobMessage(jobId: jobId, imageId: imageId, bucket: resources.inputBucket, key: key,
                             fileName: fileName, submittedAt: Int64(Date().timeIntervalSince1970 * 1000))
        let refused = try await resources.requests.send([MessageCodec.encode(job)])
        precondition(refused.isEmpty, "job refused: \(refused)")
        return job
    }

    /// Receives results until `expected` distinct images have answered or `timeout` passes;
    /// returns every result message received (duplicates included, for at-least-once checks).
    /// Receives (and deletes) results until `expected` distinct images have answered, counting
    /// those in `seen` (results collected before: at-least-once delivery may repeat one of them).
    func collectResults(expected: Int, timeout: Duration, seen: Set<String> = []) async throws -> [ResultMessage] {
        var results: [ResultMessage] = []
        var distinct = seen
        let deadline = ContinuousClock.now + timeout
        while distinct.count < expected, ContinuousClock.now < deadline {
            for message in try await resources.responses.receive(maxMessages: 10, waitSeconds: 1) {
                try await resources.responses.delete(message)
                // Workers' heartbeats share the queue with their results.
                guard case let .result(result) = try MessageCodec.decodeResponse(message.body) else { continue }
                results.append(result)
                distinct.insert(result.imageId)
            }
        }
        return results
    }

    /// The stored JSON result of `job`, or nil.
    func storedResult(for job: JobMessage) async throws -> ResultMessage? {
        do {
            let data = try await resources.store.get(bucket: resources.outputBucket,
                                                     key: ObjectNaming.resultKey(jobId: job.jobId, imageId: job.imageId),
                                                     maxBytes: 1 << 20)
            return try MessageCodec.decodeResult(String(decoding: data, as: UTF8.self))
        } catch ObjectStoreError.notFound {
            return nil
        }
    }

    /// Receives from the dead-letter queue until a message arrives or `timeout` passes.
    func waitForDeadLetters(timeout: Duration) async throws -> [QueuedMessage] {
        let deadLetters = SQSJobQueue(client: clients.sqs, queueURL: resources.deadLetterQueueURL)
        var dead: [QueuedMessage] = []
        let deadline = ContinuousClock.now + timeout
        while dead.isEmpty, ContinuousClock.now < deadline {
            dead = try await deadLetters.receive(maxMessages: 1, waitSeconds: 1)
        }
        return dead
    }

    /// The real classifier on the project's model, for in-process workers and batchers.
    static func visionClassifier() throws -> VisionImageClassifier {
        var settings = ModelSettings()
        settings.intraOpThreads = 1
        return try VisionImageClassifier(settings: settings, files: TestPaths.modelFiles)
    }

    /// The worker's `/metrics` response once `condition` holds on its text (or when `timeout`
    /// passes: the last response read, or nil when the metrics port never came up). The worker must run with
    /// `worker.metricsPort` set; its port is read from its log.
    func workerMetrics(of worker: ChildProcess, timeout: Duration,
                       until condition: (String) -> Bool) async throws -> (status: Int, body: String)? {
        let deadline = ContinuousClock.now + timeout
        var port: UInt16?
        var response: (status: Int, body: String)?
        while ContinuousClock.now < deadline {
            if port == nil, let line = worker.output.split(separator: "\n").first(where: { $0.contains("metrics on http://127.0.0.1:") }) {
                port = line.split(separator: ":").last?.split(separator: "/").first.flatMap { UInt16($0) }
            }
            if let port {
                let latest = try LoopbackHTTP.request(port: port, method: "GET", path: "/metrics")
                response = latest
                if condition(latest.body) { return latest }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return response
    }

    /// Waits until `condition` holds on the request queue's depth (SQS counts are approximate).
    func waitForRequestQueue(timeout: Duration, _ condition: (QueueDepth) -> Bool) async throws -> QueueDepth {
        let deadline = ContinuousClock.now + timeout
        var depth = try await resources.requests.depth()
        while !condition(depth), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            depth = try await resources.requests.depth()
        }
        return depth
    }
}

typealias Photos = TestPhotos
