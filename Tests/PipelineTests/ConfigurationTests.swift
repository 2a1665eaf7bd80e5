import Foundation
import Testing
@testable import Pipeline

@Suite struct ConfigurationTests {
    let loader = ConfigurationLoader()

    func write(_ json: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(ObjectNaming.newID()).json")
        try Data(json.utf8).write(to: url)
        return url
    }

    @Test func defaultsAreValidAndMatchTheOriginalDesign() throws {
        let configuration = try loader.load(environment: [:])
        #expect(configuration == Configuration())
        #expect(configuration.scaling.maxInstances == 19)
        #expect(configuration.scaling.targetBacklogPerInstance == 1)
        #expect(configuration.web.port == 5000)
        #expect(configuration.aws.endpointURL == nil)
    }

    @Test func aFileChangesOnlyWhatItNames() throws {
        let file = try write(#"{"scaling": {"maxInstances": 3}, "aws": {"endpointURL": "http://127.0.0.1:9"}}"#)
        let configuration = try loader.load(file: file, environment: [:])
        #expect(configuration.scaling.maxInstances == 3)
        #expect(configuration.scaling.targetBacklogPerInstance == 1, "siblings of a changed key keep their defaults")
        #expect(configuration.aws.endpointURL == "http://127.0.0.1:9")
        #expect(configuration.aws.region == "us-east-1")
    }

    @Test(arguments: [
        (#"{"scalling": {}}"#, "scalling"),
        (#"{"scaling": {"maxInstance": 3}}"#, "scaling.maxInstance"),
        (#"{"fleet": {"ec2": {"ami": "x"}}}"#, "fleet.ec2.ami"),
    ])
    func unknownKeysAreRefusedWithTheirPath(json: String, keyPath: String) throws {
        let file = try write(json)
        #expect {
            try loader.load(file: file, environment: [:])
        } throws: { error in
            guard case let .unknownKey(_, reported, _) = error as? ConfigurationError else { return false }
            return reported == keyPath
        }
    }

    @Test func optionalKeysAreKnownEvenWhenTheirDefaultIsAbsent() throws {
        let file = try write(#"{"web": {"uploadToken": "s3cret"}, "worker": {"metricsPort": 9100}}"#)
        let configuration = try loader.load(file: file, environment: [:])
        #expect(configuration.web.uploadToken == "s3cret")
        #expect(configuration.worker.metricsPort == 9100)
    }

    @Test func malformedJSONAndWrongTypesSayWhere() throws {
        let broken = try write(#"{"scaling": "#)
        #expect(throws: ConfigurationError.self) { try loader.load(file: broken, environment: [:]) }
        let wrongType = try write(#"{"scaling": {"maxInstances": "many"}}"#)
        #expect {
            try loader.load(file: wrongType, environment: [:])
        } throws: { error in
            guard case let .invalidValue(_, keyPath, _) = error as? ConfigurationError else { return false }
            return keyPath == "scaling.maxInstances"
        }
        let missing = URL(fileURLWithPath: "/nonexistent/config.json")
        #expect {
            try loader.load(file: missing, environment: [:])
        } throws: { error in
            guard case .unreadable = error as? ConfigurationError else { return false }
            return true
        }
    }

    @Test func environmentOverridesTheFile() throws {
        let file = try write(#"{"aws": {"endpointURL": "http://127.0.0.1:1"}, "web": {"port": 6000}}"#)
        let configuration = try loader.load(file: file, environment: [
            "ELASTIC_ENDPOINT": "http://127.0.0.1:2", "ELASTIC_PORT": "7000", "ELASTIC_WORKER_MODE": "ec2",
        ])
        #expect(configuration.aws.endpointURL == "http://127.0.0.1:2")
        #expect(configuration.web.port == 7000)
        #expect(configuration.worker.mode == .ec2)
    }

    @Test func aNonNumericPortFromTheEnvironmentIsAnError() {
        #expect(throws: ConfigurationError.invalidValue(source: "environment variable ELASTIC_PORT", keyPath: "web.port",
                                                         reason: "expected a whole number, got 'five thousand'")) {
            try loader.load(environment: ["ELASTIC_PORT": "five thousand"])
        }
        #expect(throws: ConfigurationError.self) {
            try loader.load(environment: ["ELASTIC_WORKER_MODE": "lambda"])
        }
    }

    @Test func keyPathOverridesWinAndAreChecked() throws {
        let configuration = try loader.load(environment: ["ELASTIC_MAX_INSTANCES": "7"], overrides: [
            "scaling.maxInstances": "5", "web.allowedOrigins": #"["http://localhost:5000"]"#, "model.name": "resnet18",
        ])
        #expect(configuration.scaling.maxInstances == 5)
        #expect(configuration.web.allowedOrigins == ["http://localhost:5000"])
        #expect(configuration.model.name == "resnet18", "a bare word is taken as a string")
        #expect(throws: ConfigurationError.self) { try loader.load(environment: [:], overrides: ["scaling.nope": "1"]) }
    }

    @Test(arguments: [
        ("queues.longPollSeconds", "21"),
        ("worker.receiveBatchSize", "11"),
        ("worker.receiveBatchSize", "0"),
        ("scaling.maxInstances", "-1"),
        ("scaling.targetBacklogPerInstance", "0"),
        ("scaling.warmPool.size", "-1"),
        ("scaling.warmPool.size", "20"),
        ("scaling.warmPool.startSeconds", "-1"),
        ("web.port", "70000"),
        ("web.maxConnectionsPerAddress", "-1"),
        ("web.bodyReadGraceSeconds", "0"),
        ("web.bodyMinimumBytesPerSecond", "0"),
        ("model.cropSize", "300"),
        ("fleet.kind", "\"ec2\""),
    ])
    func valuesThatWouldMisbehaveAreRefused(keyPath: String, value: String) {
        #expect {
            try loader.load(environment: [:], overrides: [keyPath: value])
        } throws: { error in
            guard case .outOfRange = error as? ConfigurationError else { return false }
            return true
        }
    }

    @Test(arguments: ["local.json", "aws.example.json", "aws.course.json"])
    func theShippedConfigurationFilesLoad(name: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let configuration = try loader.load(file: root.appendingPathComponent("Config/\(name)"), environment: [:])
        #expect(configuration.scaling.maxInstances >= 1)
        if name == "local.json" {
            #expect(configuration.fleet.kind == .local)
            #expect(configuration.aws.endpointURL?.hasPrefix("http://127.0.0.1") == true,
                    "local mode talks only to loopback")
            #expect(configuration.aws.metadataEndpoint == nil, "local mode never asks instance metadata")
        } else {
            #expect(configuration.fleet.kind == .ec2)
            #expect(configuration.scaling.maxInstances == 19)
        }
    }
}

@Suite struct OverrideFlagTests {
    @Test func flagsBecomeOverridesAndValuesMayContainEquals() throws {
        let overrides = try ConfigurationLoader.overrides(fromFlags: ["scaling.maxInstances=3", "web.uploadToken=a=b"])
        #expect(overrides == ["scaling.maxInstances": "3", "web.uploadToken": "a=b"])
    }

    @Test(arguments: ["scaling.maxInstances", "=3", ""])
    func aFlagWithoutKeyAndValueIsRefused(flag: String) {
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.overrides(fromFlags: [flag]) }
    }
}
