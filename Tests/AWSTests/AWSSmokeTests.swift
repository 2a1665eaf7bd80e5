import Testing
@testable import AWS

@Test func AWSModuleLinks() {
    #expect(Bool(true))
}
