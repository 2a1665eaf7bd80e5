import Testing
@testable import Pipeline

@Suite struct NamingTests {
    @Test func idsAreValidAndDistinct() {
        let ids = (0..<1000).map { _ in ObjectNaming.newID() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy(ObjectNaming.isValidID))
    }

    @Test(arguments: ["", "../etc/passwd", "ABCDEF0123456789abcdef0123456789", String(repeating: "a", count: 33),
                      "0123456789abcdef0123456789abcde/"])
    func foreignIdsAreRefused(id: String) {
        #expect(!ObjectNaming.isValidID(id))
    }

    @Test func keysAreBuiltFromIdsAndTheSafeName() {
        #expect(ObjectNaming.inputKey(jobId: "j", imageId: "i", safeFileName: "cat.jpg") == "uploads/j/i/cat.jpg")
        #expect(ObjectNaming.resultKey(jobId: "j", imageId: "i") == "results/j/i.json")
        #expect(ObjectNaming.resultKey(jobId: "j", imageId: "i").hasPrefix(ObjectNaming.resultPrefix(jobId: "j")))
    }

    @Test(arguments: [("test_93.jpg", "test_93"), ("test_93.JPEG", "test_93"), ("a.b.png", "a.b"),
                      ("noext", "noext"), (".hidden", ".hidden")])
    func courseStems(fileName: String, stem: String) {
        #expect(CourseNaming.stem(of: fileName) == stem)
    }
}
