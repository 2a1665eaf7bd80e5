import AppTier
import ArgumentParser
import Foundation
import Logging
import Pipeline

/// `apptier`: the app-tier worker daemon (a systemd unit on the AMI, or a local process started
/// by the web tier's local fleet).
struct AppTierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apptier",
        abstract: "Long-poll the request queue, classify images, store results; stop when idle.")

    @Option(help: "Configuration file (JSON); every key has a default.")
    var config: String?

    @Option(help: "One AWS endpoint for every service (moto), overriding the configuration.")
    var endpoint: String?

    @Option(name: .customLong("set"), help: "Override a configuration key: --set worker.parallelism=4 (repeatable).")
    var overrides: [String] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        var keyOverrides: [String: String]
        do {
            keyOverrides = try ConfigurationLoader.overrides(fromFlags: overrides)
        } catch {
            throw ValidationError(error.description)
        }
        if let endpoint { keyOverrides["aws.endpointURL"] = endpoint }
        let configuration: Configuration
        do {
            configuration = try ConfigurationLoader().load(file: config.map { URL(fileURLWithPath: $0) },
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
        let status = await AppTierService(configuration: configuration, logger: Logger(label: "apptier")).run()
        throw ExitCode(status)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

@main
enum Main {
    static func main() async {
        SignalTrap.unblockTerminationSignals()
        await AppTierCommand.main()
    }
}
