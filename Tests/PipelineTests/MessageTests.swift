import Foundation
import Testing
@testable import Pipeline

@Suite struct MessageTests {
    let job = JobMessage(jobId: ObjectNaming.newID(), imageId: ObjectNaming.newID(), bucket: "in",
                         key: "uploads/a/b/test_93.jpg", fileName: "test_93.jpg", submittedAt: 1_764_460_800_123)

    @Test func aJobSurvivesTheWireAndHasTheDesignedFields() throws {
        let body = MessageCodec.encode(job)
        #expect(try MessageCodec.decodeJob(body) == job)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["v", "jobId", "imageId", "bucket", "key", "fileName", "submittedAt"])
        #expect(object["v"] as? Int == 1)
    }

    @Test func equalJobsEncodeToEqualBodies() {
        #expect(MessageCodec.encode(job) == MessageCodec.encode(job))
    }

    @Test(arguments: [
        ("", "notJSON"),
        ("not json at all", "notJSON"),
        (#"{"v":1,"jobId":"a","bucket":"b","key":"k","fileName":"f","submittedAt":1}"#, "imageId"),
        (#"{"v":1,"jobId":"a","imageId":7,"bucket":"b","key":"k","fileName":"f","submittedAt":1}"#, "imageId"),
        (#"{"v":1,"jobId":"a","imageId":"","bucket":"b","key":"k","fileName":"f","submittedAt":1}"#, "imageId"),
        (#"{"v":2,"jobId":"a","imageId":"i","bucket":"b","key":"k","fileName":"f","submittedAt":1}"#, "version"),
    ])
    func malformedJobsAreRefusedWithTheReason(body: String, expected: String) {
        #expect {
            try MessageCodec.decodeJob(body)
        } throws: { error in
            switch error as? MessageDecodingError {
            case .notJSON?: return expected == "notJSON"
            case let .missingOrInvalidField(field)?: return field == expected
            case .unsupportedVersion?: return expected == "version"
            case nil: return false
            }
        }
    }

    @Test func resultsCarryTheAuditAndCourseForms() throws {
        let result = ResultMessage(jobId: job.jobId, imageId: job.imageId, fileName: "test_93.jpg", label: "church",
                                   top5: [Prediction(label: "church", score: 0.9)], model: "m", worker: "w",
                                   inferenceMs: 5.5)
        #expect(result.auditBody == "test_93.jpg,church")
        #expect(result.courseReply == "test_93:church")
        #expect(try MessageCodec.decodeResult(MessageCodec.encode(result)) == result)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(MessageCodec.encode(result).utf8)) as? [String: Any])
        #expect(object["error"] == nil, "a success has no error field at all")
    }

    @Test func aFailureHasAnErrorAndNoLabel() throws {
        let failure = ResultMessage.failure(for: job, reason: "not an image", model: "m", worker: "w")
        #expect(failure.error == "not an image")
        #expect(failure.label == nil && failure.top5.isEmpty)
        #expect(failure.auditBody == "test_93.jpg,")
        #expect(try MessageCodec.decodeResult(MessageCodec.encode(failure)) == failure)
    }

    /// The response queue's body and the stored result JSON, byte for byte: web tiers and workers
    /// of different builds share it, so renaming or dropping a field must fail here first.
    @Test func resultWireJSONIsPinned() throws {
        let result = ResultMessage(jobId: "j1", imageId: "i1", fileName: "test_93.jpg", label: "church",
                                   top5: [Prediction(label: "church", score: 0.5), Prediction(label: "palace", score: 0.25)],
                                   model: "efficientnet-lite0", worker: "local-42", inferenceMs: 12.5)
        let wire = #"{"fileName":"test_93.jpg","imageId":"i1","inferenceMs":12.5,"jobId":"j1","label":"church","#
            + #""model":"efficientnet-lite0","top5":[{"label":"church","score":0.5},{"label":"palace","score":0.25}],"#
            + #""v":1,"worker":"local-42"}"#
        #expect(MessageCodec.encode(result) == wire)
        #expect(try MessageCodec.decodeResult(wire) == result)

        let failure = ResultMessage(jobId: "j1", imageId: "i1", fileName: "notes.jpg", label: nil, top5: [],
                                    model: "efficientnet-lite0", worker: "local-42", inferenceMs: 0, error: "not an image")
        let failureWire = #"{"error":"not an image","fileName":"notes.jpg","imageId":"i1","inferenceMs":0,"jobId":"j1","#
            + #""model":"efficientnet-lite0","top5":[],"v":1,"worker":"local-42"}"#
        #expect(MessageCodec.encode(failure) == failureWire)
        #expect(try MessageCodec.decodeResult(failureWire) == failure)
    }
}
