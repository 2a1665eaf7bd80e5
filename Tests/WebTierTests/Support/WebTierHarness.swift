import AWS
import AWSBackends
import Foundation
import Pipeline
import TestSupport
import WebTier

/// One isolated web tier on the shared moto: its own queues and buckets (unique names), the
/// service in-process on a free port, and `apptier` worker processes when a test needs results.
final class WebTierHarness: Sendable {
    let moto: MotoServer
    let clients: AWSClients
    let configuration: Configuration
    let overrides: [String: String]
    let service: WebTierService
    let port: UInt16
    /// Between the service and moto when asked for (`countingAWS`): counts what the service sends.
    let proxy: FaultProxy?

    var resources: ProvisionedResources { service.resources }

    /// `settings` are `--set`-style overrides on top of a fast-polling test configuration.
    /// With `countingAWS`, the service reaches moto through `proxy`, whose tally counts its requests.
    init(_ settings: [String: String] = [:], countingAWS: Bool = false) async throws {
        moto = try await MotoServer.shared()
        var overrides = MotoDeploymentOverrides.isolated("web").overrides
        overrides.merge([
            "queues.visibilityTimeoutSeconds": "30", "worker.maxEmptyPollsBeforeShutdown": "1000",
            "worker.drainSeconds": "5", "web.listenAddress": "127.0.0.1",
        ]) { _, new in new }
        overrides.merge(settings) { _, new in new }
        self.overrides = overrides
        configuration = try ConfigurationLoader().load(environment: ["ELASTIC_ENDPOINT": moto.endpoint.absoluteString],
                                                       overrides: overrides)
        clients = AWSClients(configuration: moto.configuration())
        proxy = countingAWS ? try FaultProxy(targetPort: moto.port) : nil
        let serviceClients = proxy.map { proxy in
            AWSClients(configuration: AWSClientConfiguration(
                region: MotoServer.region, endpointURL: proxy.endpoint,
                credentialsProvider: StaticCredentialsProvider(MotoServer.testCredentials), retryPolicy: .none))
        } ?? clients
        service = try await WebTierService(configuration: configuration, clients: serviceClients, port: 0,
                                           publicDirectory: TestPaths.repositoryRoot.appendingPathComponent("Resources/Public").path)
        port = try service.start()
    }

    /// A second web tier over the same queues and buckets (the restart test).
    func restarted() async throws -> WebTierService {
        let next = try await WebTierService(configuration: configuration, clients: clients, port: 0,
                                            publicDirectory: nil)
        try next.start()
        return next
    }

    func stop() async {
        await service.stop()
        proxy?.stop()
    }

    // MARK: Workers

    static func executable(_ name: String) -> URL { TestPaths.builtExecutable(name) }

    static var workersAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: executable("apptier").path)
            && FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("efficientnet-lite0.onnx").path)
    }

    /// Starts an `apptier` worker on this deployment's queues and buckets.
    func startWorker(_ name: String, extra: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess(name: name, executable: Self.executable("apptier"), arguments: workerArguments(extra: extra))
    }

    /// The arguments of an `apptier` on this deployment's queues and buckets (also what the EC2
    /// simulator starts on each instance).
    func workerArguments(extra: [String: String] = [:]) -> [String] {
        var settings = overrides
        settings.merge(extra) { _, new in new }
        settings["model.path"] = TestPaths.models.appendingPathComponent("efficientnet-lite0.onnx").path
        settings["model.labelsPath"] = TestPaths.repositoryRoot.appendingPathComponent("Resources/imagenet-labels.json").path
        return ["--endpoint", moto.endpoint.absoluteString]
            + settings.sorted { $0.key < $1.key }.flatMap { ["--set", "\($0.key)=\($0.value)"] }
    }

    // MARK: Storage checks

    func inputObjects() async throws -> [String] {
        try await resources.store.list(bucket: resources.inputBucket, prefix: "")
    }

    func outputObjects() async throws -> [String] {
        try await resources.store.list(bucket: resources.outputBucket, prefix: "")
    }

    /// Messages in the request queue, visible or not (approximate on SQS, exact on moto).
    func requestQueueCount() async throws -> Int {
        try await resources.requests.depth().backlog
    }

    // MARK: Requests

    func upload(_ files: [(name: String, bytes: Data)], field: String = "files", path: String = "/api/jobs",
                headers: [String: String] = [:]) async throws -> TestResponse {
        var form = MultipartBody()
        for file in files { form.addFile(field: field, fileName: file.name, bytes: file.bytes) }
        return try await TestHTTPClient.upload(port: port, path: path, form, headers: headers)
    }

    /// Polls `GET /api/jobs/{id}` on `port` until the job is complete or `timeout` passes.
    func waitForCompletion(jobId: String, port: UInt16, timeout: Duration) async throws -> JobStatus? {
        let deadline = ContinuousClock.now + timeout
        var last: JobStatus?
        while ContinuousClock.now < deadline {
            let response = try await TestHTTPClient.get(port: port, "/api/jobs/\(jobId)")
            if response.status == 200 {
                last = try APIJSON.decode(JobStatus.self, from: response.body)
                if last?.complete == true { return last }
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        return last
    }
}

/// Real photos: setup's scikit-image photos and ../shared/photos when present.
enum Photos {
    static func all() throws -> [(name: String, bytes: Data)] { try TestPhotos.all() }

    /// `count` photos, cycling through the set, each with a distinct name (`NN_<original>`).
    static func cycled(_ count: Int) throws -> [(name: String, bytes: Data, original: String)] {
        let photos = try all()
        guard !photos.isEmpty else { return [] }
        return (0..<count).map { index in
            let photo = photos[index % photos.count]
            return (String(format: "%02d_%@", index, photo.name), photo.bytes, photo.name)
        }
    }

    /// The label our `classify` command gives each photo (the same classifier, run directly):
    /// the oracle the web tier's results are checked against. Keyed by file name.
    static func expectedLabels() async throws -> [String: String] {
        var directories = [TestPaths.testdata.appendingPathComponent("photos").path]
        if let shared = TestPaths.shared { directories.append(shared.appendingPathComponent("photos").path) }
        let process = try ChildProcess(
            name: "classify", executable: WebTierHarness.executable("classify"),
            arguments: ["--json", "--model", TestPaths.models.appendingPathComponent("efficientnet-lite0.onnx").path,
                        "--labels", TestPaths.repositoryRoot.appendingPathComponent("Resources/imagenet-labels.json").path]
                + directories)
        guard await process.waitForExit(timeout: .seconds(300)) == 0 else {
            throw TestHTTPClient.Failure(description: "classify failed: \(process.output.suffix(2000))")
        }
        var labels: [String: String] = [:]
        for line in process.output.split(separator: "\n") where line.hasPrefix("{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let file = object["file"] as? String, let label = object["label"] as? String else { continue }
            labels[URL(fileURLWithPath: file).lastPathComponent] = label
        }
        return labels
    }
}
