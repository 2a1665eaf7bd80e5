import Foundation
import Logging
import Pipeline

extension LocalProcessFleet {
    /// A local fleet whose workers run with exactly the web tier's effective `configuration`
    /// (file, environment and `--set` overrides already applied): it is written to
    /// `<logDirectory>/worker-configuration.json` and passed as `--config`, with
    /// `--set worker.mode=local` on top, so a worker never drifts from the web tier it serves.
    /// Only `worker.metricsPort` is dropped (the workers would all want the same port).
    ///
    /// - Parameters:
    ///   - logDirectory: where the configuration and the workers' logs go; nil makes a fresh
    ///     directory under the system's temporary directory.
    ///   - extraOverrides: further `--set` overrides for the workers only.
    ///   - registryFile: where the fleet records its workers so that a restarted web tier adopts
    ///     them; default: one file per endpoint, request queue and user in the temporary directory.
    ///   - environment: the workers' environment (the web tier's own, from the command). With a custom
    ///     endpoint (moto), `AWS_EC2_METADATA_DISABLED=true` is added: a local worker has no
    ///     instance metadata to ask.
    public static func make(
        configuration: Configuration, logDirectory: URL? = nil, extraOverrides: [String: String] = [:],
        environment: [String: String],
        terminationGrace: Duration? = nil, registryFile: URL? = nil, logger: Logger = Logger(label: "fleet.local")
    ) throws(FleetError) -> LocalProcessFleet {
        let directory = logDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("elastic-classifier-workers-\(UUID().uuidString.prefix(8))")
        let executable = workerExecutable(for: configuration)
        let configurationFile = directory.appendingPathComponent("worker-configuration.json")
        var workerConfiguration = configuration
        workerConfiguration.worker.mode = .local
        // N workers on one machine cannot share one metrics port; the web tier's /metrics covers them.
        workerConfiguration.worker.metricsPort = nil
        // Workers never check upload tokens: keep the credential out of the file altogether.
        workerConfiguration.web.uploadToken = nil
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(workerConfiguration).write(to: configurationFile, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: configurationFile.path)
        } catch {
            throw .misconfigured(reason: "cannot write the workers' configuration to \(configurationFile.path): \(error.localizedDescription)")
        }
        var overrides = extraOverrides
        overrides["worker.mode"] = "local"
        let arguments = ["--config", configurationFile.path]
            + overrides.sorted { $0.key < $1.key }.flatMap { ["--set", "\($0.key)=\($0.value)"] }
        var workerEnvironment = environment
        if configuration.aws.endpointURL != nil { workerEnvironment["AWS_EC2_METADATA_DISABLED"] = "true" }
        let grace = terminationGrace ?? .seconds(configuration.worker.drainSeconds + 5)
        return LocalProcessFleet(
            launch: Launch(executable: executable, arguments: arguments, environment: workerEnvironment,
                           logDirectory: directory, namePrefix: configuration.fleet.namePrefix,
                           terminationGrace: grace, registryFile: registryFile ?? defaultRegistryFile(configuration)),
            logger: logger)
    }

    /// The `apptier` binary the workers run: `fleet.workerExecutable`, else the one beside this
    /// executable.
    public static func workerExecutable(for configuration: Configuration) -> URL {
        configuration.fleet.workerExecutable.flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? siblingExecutable(named: "apptier")
    }

    /// One registry per endpoint, request queue (a local fleet serves one queue of one AWS,
    /// and workers of a previous moto must not be adopted by a web tier on a new one) and user.
    static func defaultRegistryFile(_ configuration: Configuration) -> URL {
        // FNV-1a: a stable, short file name (Swift's hashValue is seeded per process).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(configuration.aws.endpointURL ?? "aws")|\(configuration.queues.requestQueue)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let name = "elastic-classifier-local-fleet-\(String(hash, radix: 16))-\(geteuid()).json"
        return FileManager.default.temporaryDirectory.appendingPathComponent(name)
    }

    /// The `apptier` binary beside the running executable (the build directory, or the AMI's
    /// install directory), found through /proc/self/exe so a relative argv[0] does not matter.
    static func siblingExecutable(named name: String) -> URL {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? name
        return URL(fileURLWithPath: running).deletingLastPathComponent().appendingPathComponent(name)
    }
}
