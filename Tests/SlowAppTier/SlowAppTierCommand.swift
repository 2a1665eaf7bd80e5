import AppTier
import ArgumentParser
import CommandSupport
import Foundation
import Logging
import Pipeline

/// `SlowAppTier`: the `apptier` worker with every classification delayed, for the tests that stop
/// or kill a worker in the middle of a job. A test executable, so the product carries no such hook.
struct SlowAppTierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "SlowAppTier", abstract: "apptier with a fixed delay added to every classification (tests only).")

    @Option(help: "Milliseconds added to every classification.")
    var inferenceDelayMs: Int

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try options.load(defaultFile: "Config/local.json", environment: environment)  // as apptier does
        let modelFiles = try ConfigurationLoader().modelFiles(for: configuration)
        options.bootstrapLogging()
        let logger = Logger(label: "apptier")
        let delay = Duration.milliseconds(inferenceDelayMs)
        logger.warning("test worker: every classification is delayed", metadata: ["ms": "\(inferenceDelayMs)"])
        let service = AppTierService(configuration: configuration, modelFiles: modelFiles, environment: environment,
                                     logger: logger) { classifier in
            DelayingClassifier(wrapped: classifier, delay: delay, logger: logger)
        }
        throw ExitCode(await service.run())
    }
}

@main
enum Main {
    static func main() async {
        TerminationSignalMask.unblock()
        await SlowAppTierCommand.main()
    }
}
