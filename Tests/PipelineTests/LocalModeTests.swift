import AWS
import AWSBackends
import Foundation
import Testing
import TestSupport
@testable import Pipeline

/// Local mode, decided from the configuration alone, and the credentials policy it gives.
@Suite struct LocalModeTests {
    static let repository = TestPaths.repositoryRoot
    let loader = ConfigurationLoader()

    func load(_ file: String?, _ overrides: [String: String] = [:]) throws -> Configuration {
        try loader.load(file: file.map { Self.repository.appendingPathComponent($0) }, environment: [:],
                        overrides: overrides)
    }

    @Test func theLocalConfigurationNeverAsksMetadataAndFallsBackToMotoKeys() throws {
        let configuration = try load("Config/local.json")
        #expect(configuration.isLocalMode)
        #expect(configuration.credentialsPolicy.instanceRole != .ask)
        #expect(configuration.credentialsPolicy.localTestCredentials
                == AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing"))
    }

    @Test func anExplicitMetadataEndpointLetsLocalModeAskIt() throws {
        let configuration = try load("Config/local.json", ["aws.metadataEndpoint": "http://127.0.0.1:9"])
        #expect(configuration.credentialsPolicy.instanceRole == .ask)
        #expect(configuration.credentialsPolicy.localTestCredentials != nil)
    }

    @Test func aRealAccountKeepsTheStandardChain() throws {
        let configuration = try load("Config/aws.example.json")
        #expect(!configuration.isLocalMode)
        #expect(configuration.credentialsPolicy == .aws)
    }

    @Test func anEC2WorkerOnRealAWSAsksItsInstanceRoleWhateverTheFleetKind() throws {
        let configuration = try load(nil, ["worker.mode": "ec2"])
        #expect(configuration.fleet.kind == .local)
        #expect(!configuration.isLocalMode)
        #expect(configuration.credentialsPolicy == .aws)
    }

    @Test func aLocalFleetOnRealAWSSkipsMetadataButGetsNoTestKeys() throws {
        let configuration = try load(nil)
        #expect(configuration.isLocalMode)
        #expect(configuration.credentialsPolicy.instanceRole != .ask)
        #expect(configuration.credentialsPolicy.localTestCredentials == nil, "test keys only for a loopback endpoint")
    }

    @Test(arguments: [
        ("http://127.0.0.1:5005", true), ("http://127.9.8.7", true), ("http://localhost:4566", true),
        ("http://[::1]:5005", true), ("http://169.254.169.254", false), ("http://10.0.0.1:5005", false),
        ("https://s3.amazonaws.com", false), ("http://127.0.0.1.example.com", false), ("http://128.0.0.1", false),
    ])
    func loopbackEndpoints(endpoint: String, loopback: Bool) {
        var settings = AWSSettings()
        settings.endpointURL = endpoint
        #expect(settings.endpointIsLoopback == loopback)
    }

    /// The wiring both tiers use: no keys anywhere, an empty HOME, the local configuration.
    @Test func clientsForTheLocalConfigurationSignWithMotoKeys() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("localmode-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let clients = try AWSClients(for: try load("Config/local.json"),
                                     environment: ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true"])
        #expect(try await clients.configuration.credentialsProvider.credentials()
                == AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing"))
    }

    @Test func theVenvOfTheLocalServerComesFromElasticVenv() throws {
        #expect(try load(nil).aws.localServer.venv == ".venv")
        let configuration = try loader.load(environment: ["ELASTIC_VENV": "/opt/venv"])
        #expect(configuration.aws.localServer.venv == "/opt/venv")
        #expect(configuration.aws.localServer.startWhenAbsent)
    }
}
