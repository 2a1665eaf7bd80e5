import Foundation
import Pipeline
import Testing

@Suite("scaling.warmPool settings")
struct WarmPoolSettingsTests {
    @Test("the pool is off by default, starts in 20 s, and is set through the loader")
    func defaultsAndOverrides() throws {
        let loader = ConfigurationLoader()
        let defaults = try loader.load(environment: [:])
        #expect(defaults.scaling.warmPool.size == 0)
        #expect(defaults.scaling.warmPool.startSeconds == 20)
        let set = try loader.load(environment: [:], overrides: ["scaling.warmPool.size": "5",
                                                               "scaling.warmPool.startSeconds": "12.5"])
        #expect(set.scaling.warmPool.size == 5)
        #expect(set.scaling.warmPool.startSeconds == 12.5)
    }

    @Test("prefill is on with the pool unless turned off, and refused without a pool")
    func prefill() throws {
        let loader = ConfigurationLoader()
        #expect(try loader.load(environment: [:]).scaling.warmPool.prefills == false)
        #expect(try loader.load(environment: [:], overrides: ["scaling.warmPool.size": "3"]).scaling.warmPool.prefills)
        let off = try loader.load(environment: [:], overrides: ["scaling.warmPool.size": "3", "scaling.warmPool.prefill": "false"])
        #expect(off.scaling.warmPool.prefill == false && !off.scaling.warmPool.prefills)
        #expect {
            try loader.load(environment: [:], overrides: ["scaling.warmPool.prefill": "true"])
        } throws: { error in
            guard case let .outOfRange(keyPath, _) = error as? ConfigurationError else { return false }
            return keyPath == "scaling.warmPool.prefill"
        }
        #expect(throws: ConfigurationError.self) {
            try loader.load(environment: [:], overrides: ["scaling.warmPool.size": "3", "scaling.warmPool.prefill": "\"yes\""])
        }
    }
}
