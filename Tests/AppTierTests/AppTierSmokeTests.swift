import Testing
@testable import AppTier

@Test func AppTierModuleLinks() {
    #expect(Bool(true))
}
