import Glibc

/// Suspends tasks until their sockets are readable or writable, on a fixed set of `EventLoop`s
/// (one per core by default). A socket belongs to the loop its descriptor number picks; a task
/// that serves one socket should run on that loop (`Task(executorPreference: pool.loop(for:))`),
/// so the loop that sees the socket ready also runs the task.
///
/// Waits may carry a deadline: each loop sweeps expired waiters every `sweepInterval` and resumes
/// them with `SocketError.timedOut`, which is how header, body and keep-alive timeouts cost
/// nothing per connection beyond an instant in a dictionary.
public final class SocketPool: Sendable {
    /// What a task waits for.
    public enum Interest: Sendable { case readable, writable }

    public let loops: [EventLoop]

    /// Starts `loopCount` loops (default: one per online core).
    public init(sweepInterval: Duration = .milliseconds(100), loopCount: Int? = nil) throws(SocketError) {
        let count = max(loopCount ?? SocketPool.onlineCores, 1)
        var loops: [EventLoop] = []
        do throws(SocketError) {
            for _ in 0..<count {
                loops.append(try EventLoop(sweepInterval: sweepInterval))
            }
        } catch {
            loops.forEach { $0.stop() }
            throw error
        }
        self.loops = loops
    }

    /// Cores online.
    public static var onlineCores: Int {
        max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1)
    }

    /// The loop that watches `socket`.
    public func loop(for socket: Socket) -> EventLoop {
        loops[Int(socket.fileDescriptor) % loops.count]
    }

    /// Suspends until `socket` is ready for `interest`, or throws `SocketError.timedOut` after
    /// `deadline`, or `SocketError.closed` when the socket is forgotten or the pool stops.
    /// At most one reader and one writer may wait on a socket at a time.
    nonisolated(nonsending) public func wait(for socket: Socket, _ interest: Interest, deadline: Deadline? = nil) async throws {
        try await loop(for: socket).wait(for: socket.fileDescriptor, interest, deadline: deadline, edgeTriggered: false)
    }

    /// Removes `socket` from the pool before its owner closes it, failing any waiter with
    /// `SocketError.closed`. Must precede `close` so a reused descriptor number starts clean.
    public func forget(_ socket: Socket) {
        loop(for: socket).forget(socket.fileDescriptor)
    }

    /// Fails every waiter of `socket` with `SocketError.closed` but keeps it registered (used to
    /// interrupt idle keep-alive reads during graceful shutdown).
    public func interrupt(_ socket: Socket) {
        loop(for: socket).interrupt(socket.fileDescriptor)
    }

    /// Stops polling and fails all waiters with `SocketError.closed`.
    public func stop() {
        for loop in loops { loop.stop() }
    }
}
