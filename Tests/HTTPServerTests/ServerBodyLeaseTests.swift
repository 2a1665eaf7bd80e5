import Foundation
import Synchronization
import Testing
@testable import HTTPServer

/// A handler that returns while a task it started still reads the request body: the connection
/// takes the body back (interrupting that read), answers, and closes.
@Suite(.serialized) struct ServerBodyLeaseTests {
    @Test("a body read left running after the handler returned is interrupted; the response still goes out")
    func leftBehindBodyReader() async throws {
        let reading = StartedFlag()
        let outcome = Outcome()
        let harness = try ServerHarness(routes: { router in
            router.add(.post, "/leave") { request in
                let body = request.body
                Task.detached {
                    var iterator = body.makeAsyncIterator()
                    do {
                        _ = try await iterator.next()
                        reading.value.store(true, ordering: .releasing)
                        _ = try await iterator.next() // the rest never comes
                        outcome.text.withLock { $0 = "read" }
                    } catch {
                        outcome.text.withLock { $0 = "\(error)" }
                    }
                }
                while !reading.value.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(5)) }
                try await Task.sleep(for: .milliseconds(50)) // let the second read start waiting
                return .text("left")
            }
        })
        let (response, closed) = try await offPool {
            let client = try RawClient(port: harness.port)
            try client.send("POST /leave HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabcde")
            return (try client.readResponse(), try client.isClosedByServer())
        }
        await harness.server.stop()
        #expect(response.status == 200)
        #expect(response.text == "left")
        #expect(response.headers["Connection"] == "close")
        #expect(closed)
        #expect(waitUntil(timeout: .seconds(2)) { outcome.text.withLock { $0 } != nil })
        #expect(outcome.text.withLock { $0 } == "\(SocketError.closed)")
    }
}

/// How the left-behind read ended.
final class Outcome: Sendable {
    let text = Mutex<String?>(nil)
}
