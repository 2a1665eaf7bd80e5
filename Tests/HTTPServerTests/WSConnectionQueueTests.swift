import Testing
@testable import HTTPServer

/// The outgoing queue, overflow policies and hub fan-out, before any socket is involved: a
/// connection that is never `run` only queues, so what is queued is observable exactly.
@Suite struct WSConnectionQueueTests {
    /// A transport for connections that are never run; touching it is a test failure.
    struct NeverUsedTransport: WSTransport {
        func read(maxBytes: Int, deadline: Deadline?) async throws -> [UInt8] {
            Issue.record("read on a queue-only connection"); return []
        }
        func write(_ bytes: [UInt8], deadline: Deadline?) async throws {
            Issue.record("write on a queue-only connection")
        }
        func close() {}
    }

    static func connection(maxQueued: Int = 1 << 20, policy: WSOverflowPolicy = .close,
                           deflate: WSDeflateParameters? = nil) -> WSConnection {
        WSConnection(transport: NeverUsedTransport(),
                     configuration: WSConfiguration(maxQueuedBytes: maxQueued, overflowPolicy: policy,
                                                    closeTimeout: .seconds(60)),
                     deflate: deflate)
    }

    @Test("sends queue encoded frames and count their bytes")
    func queuesFrames() {
        let connection = Self.connection()
        #expect(connection.send(text: "hello") == .enqueued)
        #expect(connection.send(binary: [1, 2, 3]) == .enqueued)
        #expect(connection.queuedBytes == (2 + 5) + (2 + 3))
    }

    @Test("dropMessage policy: a message that does not fit is dropped, the connection stays open")
    func dropPolicy() {
        let connection = Self.connection(maxQueued: 100, policy: .dropMessage)
        #expect(connection.send(binary: [UInt8](repeating: 0, count: 90)) == .enqueued)
        #expect(connection.send(binary: [UInt8](repeating: 0, count: 20)) == .dropped)
        #expect(connection.isOpen)
        #expect(connection.ping() == .enqueued)  // 2 bytes: still fits (92 + 2 <= 100)
    }

    @Test("control frames count against the limit: a pong that does not fit closes with 1008, whatever the policy",
          arguments: [WSOverflowPolicy.close, .dropMessage])
    func pongOverLimitCloses(policy: WSOverflowPolicy) {
        let connection = Self.connection(maxQueued: 100, policy: policy)
        #expect(connection.send(binary: [UInt8](repeating: 0, count: 90)) == .enqueued)
        #expect(connection.answerPing(Array(repeating: 7, count: 10)) == .overflowClosed)
        #expect(!connection.isOpen)
        let closeFrame = WSFrameEncoder.encode(.close(.policyViolation, reason: "outgoing queue full (slow consumer)"))
        #expect(connection.queuedBytes == closeFrame.count)
    }

    @Test("a pong still queued is replaced by the next ping's: a ping flood queues one pong")
    func pongsCoalesce() {
        let connection = Self.connection(maxQueued: 1000)
        for index in 0..<10_000 {
            #expect(connection.answerPing([UInt8(index & 0xFF)]) == .enqueued)
        }
        let lastPong = WSFrameEncoder.encode(.pong([UInt8(9_999 & 0xFF)]))
        #expect(connection.queuedBytes == lastPong.count)
        #expect(connection.peakQueuedBytes == lastPong.count)
        #expect(connection.outgoing.withLock { $0.frames } == [lastPong])
        // Data queued after the pong does not move it: the next ping still replaces it in place.
        #expect(connection.send(text: "after") == .enqueued)
        #expect(connection.answerPing([1, 2]) == .enqueued)
        #expect(connection.outgoing.withLock { $0.frames } == [WSFrameEncoder.encode(.pong([1, 2])),
                                                               WSFrameEncoder.encode(.text("after"))])
    }

    @Test("close policy: overflow replaces the queue with a 1008 close and refuses later sends")
    func closePolicy() {
        let connection = Self.connection(maxQueued: 100, policy: .close)
        #expect(connection.send(binary: [UInt8](repeating: 0, count: 90)) == .enqueued)
        #expect(connection.send(binary: [UInt8](repeating: 0, count: 20)) == .overflowClosed)
        #expect(!connection.isOpen)
        let closeFrame = WSFrameEncoder.encode(.close(.policyViolation, reason: "outgoing queue full (slow consumer)"))
        #expect(connection.queuedBytes == closeFrame.count)
        #expect(connection.send(text: "late") == .closed)
    }

    @Test("after close() nothing else is queued")
    func closeStopsSends() {
        let connection = Self.connection()
        connection.close(.goingAway, reason: "bye")
        #expect(connection.send(text: "x") == .closed)
        #expect(connection.ping() == .closed)
    }

    @Test("a hub broadcast queues one shared frame on every member")
    func hubFanOut() {
        let hub = WSHub(compressBroadcasts: false)
        let members = (0..<5).map { _ in Self.connection() }
        members.forEach(hub.add)
        let report = hub.broadcast(.text("to everyone"))
        #expect(report == WSHub.BroadcastReport(enqueued: 5, dropped: 0, closed: 0))
        #expect(members.allSatisfy { $0.queuedBytes == 2 + 11 })
    }

    @Test("closed members are counted and removed from the hub")
    func hubRemovesClosed() {
        let hub = WSHub()
        let open = Self.connection(), closed = Self.connection()
        closed.close()
        hub.add(open)
        hub.add(closed)
        #expect(hub.broadcast(.text("x")).closed == 1)
        #expect(hub.count == 1)
    }

    @Test("the shared compressed frame goes only to members whose deflate settings allow it")
    func preparedFrameSelection() throws {
        let text = String(repeating: "shared broadcast ", count: 20)
        let prepared = WSPreparedMessage(.text(text), compress: true)
        let compressed = try #require(prepared.compressedFrame)
        #expect(compressed[0] & 0x40 != 0)  // RSV1
        #expect(compressed.count < prepared.plainFrame.count)
        #expect(prepared.frame(for: nil) == prepared.plainFrame)
        #expect(prepared.frame(for: WSDeflateParameters(serverNoContextTakeover: true)) == compressed)
        // With context takeover our compressor's history would diverge from the client's.
        #expect(prepared.frame(for: WSDeflateParameters(serverNoContextTakeover: false)) == prepared.plainFrame)
        #expect(prepared.frame(for: WSDeflateParameters(serverMaxWindowBits: 10)) == prepared.plainFrame)
        // And what a client inflates is the original text.
        var decoder = WSFrameDecoder(configuration: .init(role: .client, allowsRSV1: true))
        decoder.append(compressed)
        let frame = try #require(try decoder.nextFrame())
        #expect(try WSInflater().inflateMessage(frame.payload, limit: 1 << 20) == Array(text.utf8))
    }

    @Test("groups: a broadcast reaches only that group's members; leaveAll removes a connection everywhere")
    func groups() {
        let groups = WSGroups<String>(compressBroadcasts: false)
        let a = Self.connection(), b = Self.connection(), c = Self.connection()
        groups.join("job-1", a)
        groups.join("job-1", b)
        groups.join("job-2", b)
        groups.join("job-2", c)
        #expect(groups.broadcast(to: "job-1", .text("r1")).enqueued == 2)
        #expect(a.queuedBytes == 4 && b.queuedBytes == 4 && c.queuedBytes == 0)
        groups.leaveAll(b)
        #expect(groups.memberCount(of: "job-1") == 1 && groups.memberCount(of: "job-2") == 1)
        #expect(groups.broadcast(to: "job-3", .text("nobody")) == WSHub.BroadcastReport())
        groups.leave("job-1", a)
        #expect(Set(groups.keys) == ["job-2"])
    }

    @Test("with context takeover, a message that does not fit is dropped before it is compressed")
    func dropBeforeCompressing() throws {
        let connection = Self.connection(maxQueued: 200, policy: .dropMessage,
                                         deflate: WSDeflateParameters(serverNoContextTakeover: false))
        let big = String(repeating: "a", count: 400)  // compresses to a few bytes, but 402 uncompressed
        #expect(connection.send(text: big) == .dropped)
        #expect(connection.queuedBytes == 0)
        // The next message compresses from a fresh history, so a client inflater stays in step.
        #expect(connection.send(text: String(repeating: "b", count: 100)) == .enqueued)
        #expect(WSFrameEncoder.frameSize(payloadLength: 125) == 127 && WSFrameEncoder.frameSize(payloadLength: 126) == 130
                && WSFrameEncoder.frameSize(payloadLength: 65536) == 65546)
    }
}
