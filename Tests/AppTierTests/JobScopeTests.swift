import Pipeline
import Testing
@testable import AppTier

/// The confused-deputy guard, case by case (the worker processes are tested in WorkerInputScopeTests).
@Suite struct JobScopeTests {
    static let scope = JobScope(inputBucket: "in")
    static let id = ObjectNaming.newID()

    static func job(jobId: String = id, bucket: String = "in", key: String) -> JobMessage {
        JobMessage(jobId: jobId, imageId: id, bucket: bucket, key: key, fileName: "a.jpg", submittedAt: 0)
    }

    @Test func ourUploadsAreInScope() {
        #expect(Self.scope.check(Self.job(key: ObjectNaming.inputKey(jobId: Self.id, imageId: Self.id, safeFileName: "a.jpg")))
                == .inScope)
    }

    @Test(arguments: [
        ("out", "uploads/a.jpg"), ("In", "uploads/a.jpg"), ("in", "results/x.json"), ("in", "uploads/"),
        ("in", "Uploads/a.jpg"), ("in", "/uploads/a.jpg"), ("in", ""),
    ])
    func otherObjectsAreRefused(bucket: String, key: String) {
        guard case let .outOfScope(reason) = Self.scope.check(Self.job(bucket: bucket, key: key)) else {
            Issue.record("\(bucket)/\(key) must be refused")
            return
        }
        #expect(reason.hasPrefix("refused: "))
    }

    @Test(arguments: ["../../results", "", "ABCDEF0123456789ABCDEF0123456789", "x"])
    func idsThatCannotNameAResultAreUnaddressable(jobId: String) {
        guard case .unaddressable = Self.scope.check(Self.job(jobId: jobId, key: "uploads/a.jpg")) else {
            Issue.record("\(jobId) must be unaddressable")
            return
        }
    }
}
