import ArgumentParser
import CommandSupport
import Foundation
import Pipeline
import Provisioning

/// `provision`: makes (or removes) the AWS resources of a deployment with our own AWS client,
/// so no AWS CLI is needed. Credentials come from the standard chain: an administrator's keys.
struct ProvisionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Create or delete a deployment's buckets, queues, IAM roles and security groups.",
        subcommands: [Apply.self, Teardown.self],
        defaultSubcommand: Apply.self)

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create what is missing, fix what drifted, change nothing else; write the generated configuration.")

        @OptionGroup var options: ConfigurationOptions

        @Option(help: "Where to write the configuration both tiers then run with.")
        var output = "Config/generated.json"

        func run() async throws {
            let configuration = try options.load()
            let clients = try deploymentClients(configuration)
            let result: Provisioner.Result
            do {
                result = try await Provisioner(configuration: configuration, clients: clients).run()
            } catch let error as ProvisioningError {
                throw ValidationError(error.description)
            }
            for change in result.changes { print(change) }
            let generated = GeneratedConfiguration.make(from: configuration, result)
            try GeneratedConfiguration.json(generated).write(to: URL(fileURLWithPath: output), options: .atomic)
            print("web tier: instance profile \(configuration.deploy.webTierRole), security group \(result.webTierSecurityGroupId)")
            print("app tier: instance profile \(configuration.deploy.appTierRole), security group \(result.appTierSecurityGroupId)")
            print("wrote \(output)")
        }
    }

    struct Teardown: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Terminate the fleet and delete what provisioning made (found by the fleet tag); safe to repeat.")

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let configuration = try options.load()
            let teardown = Provisioning.Teardown(configuration: configuration, clients: try deploymentClients(configuration))
            for change in try await teardown.run() { print(change) }
        }
    }
}

func deploymentClients(_ configuration: Configuration) throws -> DeploymentClients {
    do {
        return DeploymentClients(try AWSClients(settings: configuration.aws))
    } catch {
        throw ValidationError(error.description)
    }
}

@main
enum Main {
    static func main() async {
        await ProvisionCommand.main()
    }
}
