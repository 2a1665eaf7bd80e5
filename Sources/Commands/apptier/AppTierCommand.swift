import AppTier
import ArgumentParser
import CommandSupport
import Foundation
import Logging
import Pipeline

/// `apptier`: the app-tier worker daemon (a systemd unit on the AMI, or a local process started
/// by the web tier's local fleet).
struct AppTierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apptier",
        abstract: "Long-poll the request queue, classify images, store results; stop when idle.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        // Like webtier: in a checkout, `swift run apptier` works on the local configuration.
        let environment = ProcessInfo.processInfo.environment
        let configuration = try options.load(defaultFile: "Config/local.json", environment: environment)
        let modelFiles: ModelFiles
        do {
            modelFiles = try WorkerPrerequisites.check(configuration)
        } catch {
            // Exit 2, as a worker that cannot start does; the fleet keeps the message in the worker's log.
            FileHandle.standardError.write(Data("apptier: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        options.bootstrapLogging()
        let status = await AppTierService(configuration: configuration, modelFiles: modelFiles, environment: environment,
                                          logger: Logger(label: "apptier")).run()
        throw ExitCode(status)
    }
}

@main
enum Main {
    static func main() async {
        TerminationSignalMask.unblock()
        await AppTierCommand.main()
    }
}
