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
}
