import Foundation
import Pipeline
import Testing

/// The `slo` policy's configuration keys.
@Suite struct ScalingSettingsTests {
    let loader = ConfigurationLoader()

    @Test func defaultsKeepTheBacklogRule() throws {
        let scaling = try loader.load(environment: [:]).scaling
        #expect(scaling.policy == .backlog)
        #expect(scaling.drainTargetSeconds == 30)
        #expect(scaling.bootSeconds == 60)
    }

    @Test func sloPolicyIsSelectable() throws {
        let scaling = try loader.load(environment: [:], overrides: [
            "scaling.policy": "slo", "scaling.drainTargetSeconds": "45", "scaling.scaleInDelaySeconds": "5",
        ]).scaling
        #expect(scaling.policy == .slo)
        #expect(scaling.drainTargetSeconds == 45)
        #expect(scaling.scaleInDelaySeconds == 5)
    }

    @Test func unknownPolicyNamesTheKey() {
        #expect {
            try loader.load(environment: [:], overrides: ["scaling.policy": "fastest"])
        } throws: { error in
            guard case let .invalidValue(_, keyPath, _) = error as? ConfigurationError else { return false }
            return keyPath == "scaling.policy"
        }
    }

    @Test(arguments: [
        ("scaling.drainTargetSeconds", "0"), ("scaling.bootSeconds", "-1"),
        ("scaling.initialImagesPerSecondPerInstance", "0"), ("scaling.scaleInDelaySeconds", "-1"),
        ("scaling.billingMinimumSeconds", "-5"),
    ])
    func valuesThatWouldMisbehaveAreRefused(keyPath: String, value: String) {
        #expect {
            try loader.load(environment: [:], overrides: [keyPath: value])
        } throws: { error in
            guard case let .outOfRange(refused, _) = error as? ConfigurationError else { return false }
            return refused == keyPath
        }
    }
}
