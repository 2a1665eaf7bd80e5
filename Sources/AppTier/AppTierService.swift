import AWS
import AWSBackends
import Foundation
import Logging
import Pipeline
import Vision

/// Wires a worker from the configuration: AWS clients, queues and buckets, the classifier, the
/// signal trap, and what happens when it goes idle. The `apptier` command only parses arguments
/// and calls `run`.
public struct AppTierService: Sendable {
    public let configuration: Configuration
    /// The model's files, resolved from the configuration at start-up.
    public let modelFiles: ModelFiles
    public let environment: [String: String]
    public let logger: Logger
    /// Wraps the model's classifier before the worker uses it (tests' slow worker; the product
    /// uses it as it is).
    public let wrapClassifier: @Sendable (any ImageClassifier) -> any ImageClassifier

    public init(configuration: Configuration, modelFiles: ModelFiles, environment: [String: String],
                logger: Logger,
                wrapClassifier: @escaping @Sendable (any ImageClassifier) -> any ImageClassifier = { $0 }) {
        self.configuration = configuration
        self.modelFiles = modelFiles
        self.environment = environment
        self.logger = logger
        self.wrapClassifier = wrapClassifier
    }

    /// The exit status of a worker whose every slot is stuck (systemd's `Restart=on-failure`
    /// restarts it; the local fleet reaps it and launches another if work remains).
    public static let stuckExitStatus: Int32 = 3

    /// Runs until idle or stopped; returns the process exit status.
    public func run() async -> Int32 {
        do {
            let clients = try AWSClients(for: configuration, environment: environment)
            let resources = try await WorkerResources.find(configuration, clients: clients)
            let workerName = try await self.workerName(clients: clients)
            let classifier = wrapClassifier(try VisionImageClassifier(settings: configuration.model, files: modelFiles))
            let shutdown = ShutdownSignal()
            let trap = SignalTrap(shutdown: shutdown)
            let worker = Worker(
                requests: resources.requests, responses: resources.responses, store: resources.store,
                classifier: classifier, options: WorkerOptions(configuration: configuration, workerName: workerName),
                shutdown: shutdown, logger: logger)
            var metrics: WorkerMetricsServer?
            if let port = configuration.worker.metricsPort {
                let (server, bound) = try WorkerMetricsServer.start(port: port, stats: worker.stats,
                                                                    workerName: workerName, logger: logger)
                metrics = server
                logger.info("metrics on http://127.0.0.1:\(bound)/metrics")
            }
            let exit = await worker.run()
            await metrics?.stop()
            withExtendedLifetime(trap) {}
            switch exit {
            case .idle:
                return await idleShutdown(clients: clients).shutDownIdleWorker(logger: logger)
            case .stopped:
                return 0
            case let .queueUnavailable(reason):
                logger.critical("request queue unavailable; exiting for a restart", metadata: ["reason": "\(reason)"])
                return 1
            case let .stuck(jobs):
                logger.critical("worker stuck; exiting for a restart", metadata: ["stuckJobs": "\(jobs)"])
                return Self.stuckExitStatus
            }
        } catch {
            logger.critical("app tier could not start", metadata: ["reason": "\(error)"])
            return 2
        }
    }

    private func workerName(clients: AWSClients) async throws -> String {
        switch configuration.worker.mode {
        case .local:
            return "local-\(ProcessInfo.processInfo.processIdentifier)"
        case .ec2:
            return try await clients.instanceMetadata(environment: environment).instanceID()
        }
    }

    private func idleShutdown(clients: AWSClients) -> any IdleShutdown {
        switch configuration.worker.mode {
        case .local:
            return LocalIdleShutdown()
        case .ec2:
            return EC2IdleShutdown(metadata: clients.instanceMetadata(environment: environment), ec2: clients.ec2)
        }
    }
}
