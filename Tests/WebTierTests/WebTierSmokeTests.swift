import Testing
@testable import WebTier

@Test func WebTierModuleLinks() {
    #expect(Bool(true))
}
