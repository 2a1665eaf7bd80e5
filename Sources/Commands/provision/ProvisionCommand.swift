import ArgumentParser
import AWSBackends
import CommandSupport
import Foundation
import AWS
import Pipeline
import Provisioning

/// `provision`: makes (or removes) the AWS resources of a deployment with our own AWS client,
/// so no AWS CLI is needed. Credentials come from the standard chain: an administrator's keys.
struct ProvisionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Create or delete a deployment's buckets, queues, IAM roles and security groups.",
        subcommands: [Apply.self, BundleURL.self, Teardown.self],
        defaultSubcommand: Apply.self)

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create what is missing, fix what drifted, change nothing else; write the generated configuration.")

        @OptionGroup var options: ConfigurationOptions

        @Option(help: "Where to write the configuration both tiers then run with.")
        var output = "Config/generated.json"

        func run() async throws {
            let (configuration, clients) = try deployment(options)
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
            let (configuration, clients) = try deployment(options)
            let teardown = Provisioning.Teardown(configuration: configuration, clients: clients)
            for change in try await teardown.run() { print(change) }
        }
    }
}

struct BundleURL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle-url",
        abstract: "Upload a bundle (make-bundle's tarball) and print a presigned https URL and its SHA-256 for user-data.sh.")

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "The tarball make-bundle wrote (dist/elastic-classifier-VERSION.tar.gz).")
    var bundle: String

    @Option(help: "Hours the URL stays valid (S3 allows at most 168, and only as long as the signing keys live).")
    var hours = 168

    @Option(help: "Also write user-data.sh with the URL, checksum and this tier filled in (apptier or webtier).")
    var tier: String?

    @Option(help: "Where to write that user data.")
    var userDataOutput = "Config/user-data.generated.sh"

    @Flag(help: "User data for building an AMI: install and enable the unit, start it only on the image's instances.")
    var imageBuild = false

    func run() async throws {
        guard (1...168).contains(hours) else { throw ValidationError("--hours must be 1...168, got \(hours)") }
        if let tier, !["apptier", "webtier"].contains(tier) { throw ValidationError("--tier must be apptier or webtier") }
        let (configuration, clients) = try deployment(options)
        let file = URL(fileURLWithPath: bundle)
        let sha256 = SHA256.hex(try SHA256.hash(fileAt: file))
        // Beside the uploads, outside `uploads/`: no tier's role can read it, the URL can.
        let key = "artifacts/\(file.lastPathComponent)"
        try await clients.s3.putObject(bucket: configuration.storage.inputBucket, key: key, contentsOf: file,
                                       contentType: "application/gzip")
        let url = try await clients.s3.presignedGetURL(bucket: configuration.storage.inputBucket, key: key,
                                                       expires: .seconds(hours * 3600))
        print("BUNDLE_URL=\(url.absoluteString)")
        print("BUNDLE_SHA256=\(sha256)")
        if let tier {
            let template = try String(contentsOfFile: "scripts/ami/user-data.sh", encoding: .utf8)
            let rendered = try UserDataTemplate.render(template, url: url.absoluteString, sha256: sha256, tier: tier,
                                                       startNow: !imageBuild)
            try Data(rendered.utf8).write(to: URL(fileURLWithPath: userDataOutput), options: .atomic)
            print("wrote \(userDataOutput) (\(rendered.utf8.count) bytes; EC2 allows 16384)")
        }
    }
}

/// The configuration and the clients every subcommand works with; the one place `provision`
/// reads its environment (configuration variables and the credentials chain).
func deployment(_ options: ConfigurationOptions) throws -> (configuration: Configuration, clients: DeploymentClients) {
    let environment = ProcessInfo.processInfo.environment
    let configuration = try options.load(environment: environment)
    do {
        return (configuration, DeploymentClients(try AWSClients(settings: configuration.aws, environment: environment)))
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
