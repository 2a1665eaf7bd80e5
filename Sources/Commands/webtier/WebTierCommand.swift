import ArgumentParser
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

    @Option(help: "Configuration file (JSON); default Config/local.json when present.")
    var config: String?

    @Option(help: "One AWS endpoint for every service (moto), overriding the configuration.")
    var endpoint: String?

    @Option(name: .customLong("set"), help: "Override a configuration key: --set web.maxFilesPerRequest=100 (repeatable).")
    var overrides: [String] = []

    @Option(help: "Port to listen on (overrides web.port; 0 picks a free one, printed as LISTENING <port>).")
    var port: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Flag(help: "Run without the autoscaler (a fixed fleet started elsewhere).")
    var noAutoscaler = false

    func run() async throws {
        let signals = TerminationSignals()
        var keyOverrides: [String: String]
        do {
            keyOverrides = try ConfigurationLoader.overrides(fromFlags: overrides)
        } catch {
            throw ValidationError(error.description)
        }
        if let endpoint { keyOverrides["aws.endpointURL"] = endpoint }
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, got \(port)") }
            keyOverrides["web.port"] = String(port)
        }
        let file = config ?? (FileManager.default.fileExists(atPath: "Config/local.json") ? "Config/local.json" : nil)
        let configuration: Configuration
        do {
            configuration = try ConfigurationLoader().load(file: file.map { URL(fileURLWithPath: $0) },
                                                           overrides: keyOverrides)
        } catch {
            throw ValidationError(error.description)
        }
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "webtier")
        let clients: AWSClients
        do {
            clients = try AWSClients(settings: configuration.aws)
        } catch {
            throw ValidationError(error.description)
        }
        let service = try await WebTierService(configuration: configuration, clients: clients, logger: logger)
        let boundPort = try service.start()
        // Tests and scripts read the port from here when they asked for port 0.
        FileHandle.standardOutput.write(Data("LISTENING \(boundPort)\n".utf8))
        logger.info("web tier ready", metadata: ["url": "http://\(configuration.web.listenAddress):\(boundPort)/"])

        let autoscaler = noAutoscaler ? nil : try Autoscaler.start(configuration: configuration, clients: clients,
                                                                    service: service, logger: logger)
        let reason = await signals.wait()
        logger.info("stopping", metadata: ["signal": "\(reason)"])
        await service.stop()
        await autoscaler?.shutdown()
        logger.info("stopped")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

@main
enum Main {
    static func main() async {
        await WebTierCommand.main()
    }
}
