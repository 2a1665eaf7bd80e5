import ArgumentParser
import Foundation
import Logging
import Pipeline

/// The options both daemons share: where the configuration comes from, how to override it, and
/// how much to log. `webtier` and `apptier` take them as an `@OptionGroup`.
public struct ConfigurationOptions: ParsableArguments {
    @Option(help: "Configuration file (JSON); every key has a default. Without one, Config/local.json is read when present.")
    public var config: String?

    @Option(help: "One AWS endpoint for every service (moto), overriding the configuration.")
    public var endpoint: String?

    @Option(name: .customLong("set"), help: "Override a configuration key, e.g. --set scaling.maxInstances=4 (repeatable).")
    public var overrides: [String] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    public var logLevel: Logger.Level = .info

    public init() {}

    /// The configuration: `--config` (or `defaultFile` when it exists), then `environment` (the
    /// command's, read once at its entry point), then `--set` and `--endpoint`, then `extra` (a
    /// command's own flags). Errors are usage errors.
    public func load(defaultFile: String? = nil, extra: [String: String] = [:],
                     environment: [String: String]) throws -> Configuration {
        do {
            var keyOverrides = try ConfigurationLoader.overrides(fromFlags: overrides)
            if let endpoint { keyOverrides["aws.endpointURL"] = endpoint }
            keyOverrides.merge(extra) { _, new in new }
            let file = config ?? defaultFile.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
            return try ConfigurationLoader().load(file: file.map { URL(fileURLWithPath: $0) }, environment: environment,
                                                  overrides: keyOverrides)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Logs go to standard error at `--log-level` (systemd's journal picks them up there).
    public func bootstrapLogging() {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
