import ArgumentParser
import AWSBackends
import CommandSupport
import Foundation
import Logging
import Pipeline
import WebTier

/// `webtier`: the web tier. Serves the page and the API, polls results, and runs the autoscaler
/// over the configured fleet (local worker processes or EC2 instances).
struct WebTierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webtier",
        abstract: "Serve the upload page and job API, route results, and scale the app tier.")

    /// `--config` defaults to Config/local.json when present (the local mode out of the box).
    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Port to listen on (overrides web.port; 0 picks a free one, printed as LISTENING <port>).")
    var port: Int?

    @Flag(help: "Run without the autoscaler (a fixed fleet started elsewhere).")
    var noAutoscaler = false

    func run() async throws {
        let signals = TerminationSignals()
        var extra: [String: String] = [:]
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, got \(port)") }
            extra["web.port"] = String(port)
        }
        let environment = ProcessInfo.processInfo.environment
        let configuration = try options.load(defaultFile: "Config/local.json", extra: extra, environment: environment)
        options.bootstrapLogging()
        let logger = Logger(label: "webtier")
        // Start-up errors say what is missing and which command provides it (ArgumentParser
        // prints them as "Error: ..." and exits 1).
        if !noAutoscaler { try WorkerExecutableCheck.check(configuration) }
        // `swift run webtier` alone: a loopback endpoint with nothing there gets moto from the venv.
        let localAWS = try await LocalAWSServer.startIfAbsent(
            configuration, environment: environment, logger: logger)
        do {
            try await serve(configuration, environment: environment, signals: signals, logger: logger)
        } catch {
            await localAWS?.stop()
            throw error
        }
        // After the workers: they release their jobs to the queue on the way out.
        await localAWS?.stop()
        logger.info("stopped")
    }

    private func serve(_ configuration: Configuration, environment: [String: String], signals: TerminationSignals,
                       logger: Logger) async throws {
        let clients: AWSClients
        do {
            clients = try AWSClients(for: configuration, environment: environment)
        } catch {
            throw ValidationError(error.description)
        }
        let service = try await WebTierService(
            configuration: configuration, clients: clients,
            publicDirectory: WebTierService.findPublicDirectory(environment: environment), logger: logger)
        let boundPort = try service.start()
        // Tests and scripts read the port from here when they asked for port 0.
        FileHandle.standardOutput.write(Data("LISTENING \(boundPort)\n".utf8))
        logger.info("web tier ready", metadata: ["url": "http://\(configuration.web.listenAddress):\(boundPort)/"])

        let autoscaler = noAutoscaler ? nil : try Autoscaler.start(configuration: configuration, clients: clients,
                                                                    service: service, workerEnvironment: environment,
                                                                    logger: logger)
        let reason = await signals.wait()
        logger.info("stopping", metadata: ["signal": "\(reason)"])
        await service.stop()
        await autoscaler?.shutdown()
    }
}

@main
enum Main {
    static func main() async {
        await WebTierCommand.main()
    }
}
