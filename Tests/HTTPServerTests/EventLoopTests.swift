import Glibc
import Testing
@testable import HTTPServer

/// The event loop as an executor: a task that prefers a loop runs on the loop's thread, before
/// and after its socket becomes ready, and timeouts and stops still reach it.
@Suite struct EventLoopTests {
    /// A connected pair of non-blocking stream sockets.
    static func socketPair() throws -> (Socket, Socket) {
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let pair = (Socket(fileDescriptor: fds[0]), Socket(fileDescriptor: fds[1]))
        try pair.0.setNonBlocking()
        try pair.1.setNonBlocking()
        return pair
    }

    @Test("readiness resumes the waiting task on its loop's thread, not on the cooperative pool")
    func resumesOnLoopThread() async throws {
        let pool = try SocketPool(loopCount: 1)
        defer { pool.stop() }
        let (a, b) = try Self.socketPair()
        defer { a.close(); b.close() }
        let threads = await Task(executorPreference: pool.loop(for: a)) {
            var seen: [pthread_t] = [pthread_self()]
            for _ in 0..<3 {
                let writer = Task.detached {
                    try? await Task.sleep(for: .milliseconds(5))
                    _ = [UInt8(1)].withUnsafeBytes { try? b.send($0) }
                }
                try? await pool.wait(for: a, .readable, deadline: .now + .seconds(5))
                seen.append(pthread_self())
                var byte = [UInt8](repeating: 0, count: 1)
                _ = byte.withUnsafeMutableBytes { try? a.receive(into: $0) }
                await writer.value
                seen.append(pthread_self())
            }
            return seen
        }.value
        #expect(Set(threads.map { UInt($0) }).count == 1, "the task ran on \(Set(threads).count) threads")
    }

    @Test("a wait past its deadline throws timedOut; a stopped pool fails its waiters with closed")
    func deadlineAndStop() async throws {
        let pool = try SocketPool(sweepInterval: .milliseconds(10), loopCount: 2)
        let (a, b) = try Self.socketPair()
        defer { a.close(); b.close() }
        await #expect(throws: SocketError.timedOut) {
            try await pool.wait(for: a, .readable, deadline: .now + .milliseconds(30))
        }
        let waiting = Task(executorPreference: pool.loop(for: b)) {
            try await pool.wait(for: b, .readable)
        }
        try await Task.sleep(for: .milliseconds(50))
        pool.stop()
        await #expect(throws: SocketError.closed) { try await waiting.value }
        // A task still preferring the stopped loop runs to its end (on the global executor).
        let after = await Task(executorPreference: pool.loop(for: b)) {
            try? await Task.sleep(for: .milliseconds(1))
            return 42
        }.value
        #expect(after == 42)
    }

    @Test("edge-triggered: an edge that comes while nobody waits is remembered for the next wait")
    func edgeWithoutWaiter() async throws {
        let pool = try SocketPool(sweepInterval: .milliseconds(10), loopCount: 1)
        defer { pool.stop() }
        let (a, b) = try Self.socketPair()
        defer { a.close(); b.close() }
        var byte = [UInt8](repeating: 0, count: 1)
        // First wait: registers the socket, resumed by data sent meanwhile.
        let sender = Task.detached {
            try? await Task.sleep(for: .milliseconds(10))
            _ = [UInt8(1)].withUnsafeBytes { try? b.send($0) }
        }
        try await pool.loop(for: a).wait(for: a.fileDescriptor, .readable, deadline: .now + .seconds(5), edgeTriggered: true)
        await sender.value
        _ = try byte.withUnsafeMutableBytes { try a.receive(into: $0) }
        // Data arrives while nobody waits: its edge must not be lost.
        _ = [UInt8(2)].withUnsafeBytes { try? b.send($0) }
        try await Task.sleep(for: .milliseconds(50))
        try await pool.loop(for: a).wait(for: a.fileDescriptor, .readable, deadline: .now + .milliseconds(300), edgeTriggered: true)
        #expect(try byte.withUnsafeMutableBytes { try a.receive(into: $0) } == 1)
        #expect(byte == [2])
        // That edge is used up: the next wait (the socket drained) waits for new data.
        await #expect(throws: SocketError.timedOut) {
            try await pool.loop(for: a).wait(for: a.fileDescriptor, .readable, deadline: .now + .milliseconds(50), edgeTriggered: true)
        }
    }
}
