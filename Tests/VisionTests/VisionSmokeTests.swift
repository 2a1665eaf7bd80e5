import Testing
@testable import Vision

@Test func VisionModuleLinks() {
    #expect(Bool(true))
}
