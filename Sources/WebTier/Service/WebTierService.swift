import AWS
import AWSBackends
import Foundation
import HTTPServer
import Logging
import Pipeline

/// The web tier in one object: provisions (or finds) the queues and buckets, serves the page and
/// the API, polls the response queue, and forwards fleet snapshots. Tests start it in-process on
/// port 0; the `webtier` command starts it on `web.port`.
///
/// ```swift
/// let service = try await WebTierService(configuration: configuration, clients: clients)
/// let port = try await service.start()
/// ...
/// await service.stop()
/// ```
public final class WebTierService: Sendable {
    public let configuration: Configuration
    public let resources: ProvisionedResources
    public let context: WebContext
    /// Worker heartbeats read from the response queue, for the controller's health rule.
    public let heartbeats = WorkerHeartbeats()
    private let server: Server
    private let poller: ResultPoller
    private let deadLetters: DeadLetterPoller
    private let logger: Logger

    /// - Parameters:
    ///   - port: overrides `web.port` (0 picks a free port).
    ///   - publicDirectory: the page's files; nil looks for `Resources/Public` (`findPublicDirectory`
    ///     without `ELASTIC_PUBLIC_DIR`: the command wiring passes what the environment names).
    public init(configuration: Configuration, clients: AWSClients, port: UInt16? = nil,
                publicDirectory: String? = nil, logger: Logger = Logger(label: "webtier")) async throws {
        self.configuration = configuration
        self.logger = logger
        resources = try await ProvisionedResources.prepare(configuration, clients: clients)
        let web = configuration.web
        let jobs = JobStore()
        let metrics = WebMetrics()
        let waiters = ResultWaiters()
        let archive = JobArchive(store: resources.store, inputBucket: resources.inputBucket, outputBucket: resources.outputBucket)
        // Images go up with CRC32 rather than a signed SHA-256: S3 still refuses a changed body,
        // at a fraction of the hashing cost per image (see `S3UploadIntegrity.crc32Checksum`).
        let submitter = JobSubmitter(store: S3ObjectStore(client: clients.s3, integrity: .crc32Checksum), requests: resources.requests, inputBucket: resources.inputBucket,
                                     jobs: jobs, metrics: metrics, logger: logger)
        // Removes the spool files of web tiers that died mid-upload before claiming a directory.
        let spoolDirectory = try SpoolDirectory(root: web.spoolDirectory ?? SpoolDirectory.defaultRoot())
        context = WebContext(web: web, policy: IntakePolicy(web), authorization: UploadAuthorization(token: web.uploadToken),
                             origins: OriginCheck(allowedOrigins: web.allowedOrigins), jobs: jobs, waiters: waiters,
                             submitter: submitter, archive: archive, metrics: metrics, requests: resources.requests,
                             queueDepth: QueueDepthCache(queue: resources.requests, maxAge: .seconds(web.queueDepthCacheSeconds)),
                             rebuilds: JobRebuildGuard(ratePerSecond: web.jobRebuildsPerSecond, burst: web.jobRebuildBurst,
                                                       unknownTTL: .seconds(web.unknownJobCacheSeconds)),
                             fleet: FleetChannel(), spoolDirectory: spoolDirectory,
                             memoryBudget: MultipartBudget(capacity: web.intakeMemoryBytes),
                             spoolBudget: MultipartBudget(capacity: web.spoolDiskBytes),
                             logger: logger)
        let router = ResultRouter(jobs: jobs, waiters: waiters, metrics: metrics, fleet: context.fleet)
        poller = ResultPoller(queue: resources.responses, router: router,
                              pollers: 3, waitSeconds: configuration.queues.longPollSeconds,
                              heartbeats: heartbeats, logger: logger)
        deadLetters = DeadLetterPoller(queue: SQSJobQueue(client: clients.sqs, queueURL: resources.deadLetterQueueURL,
                                                          isFIFO: configuration.queues.fifo),
                                       router: router, store: resources.store, outputBucket: resources.outputBucket,
                                       maxReceiveCount: configuration.queues.maxReceiveCount, model: configuration.model.name,
                                       waitSeconds: configuration.queues.longPollSeconds, logger: logger)
        var serverConfiguration = HTTPServerConfiguration(
            listenAddresses: [try SocketAddress(host: web.listenAddress, port: port ?? UInt16(web.port))],
            maxConnections: web.maxConnections)
        // The intake enforces the request limit itself with a clearer message; this is the backstop.
        serverConfiguration.limits.maxBodyBytes = max(web.maxRequestBytes, 1 << 20) + (1 << 20)
        serverConfiguration.shutdownGracePeriod = .seconds(5)
        serverConfiguration.maxConnectionsPerAddress = web.maxConnectionsPerAddress > 0 ? web.maxConnectionsPerAddress : nil
        serverConfiguration.bodyReadGracePeriod = .seconds(web.bodyReadGraceSeconds)
        serverConfiguration.bodyMinimumBytesPerSecond = web.bodyMinimumBytesPerSecond
        let directory = publicDirectory ?? Self.findPublicDirectory(environment: [:])
        if directory == nil { logger.warning("Resources/Public not found: GET / will answer 404") }
        server = Server(configuration: serverConfiguration,
                        handler: WebRoutes.handler(context: context, publicDirectory: directory), logger: logger)
    }

    /// Starts serving and polling; returns the bound port.
    @discardableResult
    public func start() throws -> UInt16 {
        let addresses = try server.start()
        poller.start()
        deadLetters.start()
        return addresses.first?.port ?? 0
    }

    /// The port actually bound.
    public var port: UInt16 { server.boundAddresses.first?.port ?? 0 }

    /// Forwards `source`'s snapshots to `/ws/fleet` and `/metrics`.
    public func attachFleet(_ source: any FleetSnapshotSource) {
        context.fleet.attach(source)
    }

    /// Stops accepting, lets in-flight requests finish (up to the grace period), stops polling.
    public func stop() async {
        context.fleet.closeAll()
        context.jobs.notifyShutdown()
        context.fleet.detach()
        await server.stop()
        await poller.stop()
        await deadLetters.stop()
    }

    /// `ELASTIC_PUBLIC_DIR`, else `Resources/Public` under the working directory, else beside the
    /// executable's checkout (`.build/<triple>/<config>/webtier` → `../../../Resources/Public`).
    public static func findPublicDirectory(environment: [String: String]) -> String? {
        var candidates: [String] = []
        if let configured = environment["ELASTIC_PUBLIC_DIR"], !configured.isEmpty { candidates.append(configured) }
        candidates.append(FileManager.default.currentDirectoryPath + "/Resources/Public")
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("Resources/Public").path)
            directory.deleteLastPathComponent()
        }
        return candidates.first { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path + "/index.html", isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }
}
