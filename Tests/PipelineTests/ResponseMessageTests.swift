import Foundation
import Testing
import Pipeline

/// The response queue carries results and worker heartbeats; readers tell them apart by `kind`.
@Suite struct ResponseMessageTests {
    @Test func aHeartbeatHasTheDesignedFieldsAndIsReadAsOne() throws {
        let heartbeat = WorkerHeartbeat(worker: "i-0abc", sentAt: 1_764_460_800_123)
        let body = MessageCodec.encode(heartbeat)
        #expect(body == #"{"kind":"heartbeat","sentAt":1764460800123,"v":1,"worker":"i-0abc"}"#)
        #expect(try MessageCodec.decodeResponse(body) == .heartbeat(heartbeat))
    }

    @Test func aResultIsStillAResult() throws {
        let result = ResultMessage(jobId: ObjectNaming.newID(), imageId: ObjectNaming.newID(), fileName: "a.jpg",
                                   label: "church", top5: [], model: "m", worker: "w", inferenceMs: 1)
        #expect(try MessageCodec.decodeResponse(MessageCodec.encode(result)) == .result(result))
    }

    @Test(arguments: [
        #"{"v":1,"kind":"heartbeat"}"#, #"{"v":1,"kind":"heartbeat","worker":"","sentAt":0}"#,
        #"{"v":2,"kind":"heartbeat","worker":"w","sentAt":0}"#, #"{"kind":"gossip"}"#, "not json",
    ])
    func anythingElseIsRefused(body: String) {
        #expect(throws: MessageDecodingError.self) { try MessageCodec.decodeResponse(body) }
    }
}
