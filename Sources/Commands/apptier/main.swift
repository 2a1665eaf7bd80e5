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
        let configuration = try options.load()
        options.bootstrapLogging()
        let status = await AppTierService(configuration: configuration, logger: Logger(label: "apptier")).run()
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
