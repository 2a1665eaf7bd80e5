import Dispatch
import Glibc
import Synchronization

/// Suspends tasks until their sockets are readable or writable.
///
/// One epoll instance, polled by a loop that runs on its own Dispatch queue; each waiting task is
/// a continuation keyed by descriptor and interest, armed with `EPOLLONESHOT` so a readiness event
/// wakes exactly the waiter that asked for it. Waits may carry a deadline: the loop sweeps expired
/// waiters every `sweepInterval` and resumes them with `SocketError.timedOut`, which is how header,
/// body and keep-alive timeouts cost nothing per connection beyond an instant in a dictionary.
public final class SocketPool: Sendable {
    /// What a task waits for.
    public enum Interest: Sendable { case readable, writable }

    private struct Waiter {
        var continuation: UnsafeContinuation<Void, any Error>
        var deadline: ContinuousClock.Instant?
    }

    private struct Registration {
        var reader: Waiter?
        var writer: Waiter?
        var addedToEpoll = false
    }

    private struct State {
        var registrations: [Int32: Registration] = [:]
        var running = true
        var nextSweep = ContinuousClock.now
    }

    private let epoll: Epoll
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "HTTPServer.SocketPool", qos: .userInitiated)
    private let sweepInterval: Duration

    /// Creates the epoll instance and starts polling it.
    public init(sweepInterval: Duration = .milliseconds(100)) throws(SocketError) {
        self.epoll = try Epoll()
        self.sweepInterval = sweepInterval
        queue.async { [self] in self.runLoop() }
    }

    /// Suspends until `socket` is ready for `interest`, or throws `SocketError.timedOut` after
    /// `deadline`, or `SocketError.closed` when the socket is forgotten or the pool stops.
    /// At most one reader and one writer may wait on a socket at a time.
    public func wait(for socket: Socket, _ interest: Interest, deadline: ContinuousClock.Instant? = nil) async throws {
        let fd = socket.fileDescriptor
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            let failure: SocketError? = state.withLock { state in
                guard state.running else { return .closed }
                var registration = state.registrations[fd] ?? Registration()
                let waiter = Waiter(continuation: continuation, deadline: deadline)
                switch interest {
                case .readable:
                    precondition(registration.reader == nil, "two tasks reading one socket")
                    registration.reader = waiter
                case .writable:
                    precondition(registration.writer == nil, "two tasks writing one socket")
                    registration.writer = waiter
                }
                do throws(SocketError) {
                    try epoll.arm(fd, readable: registration.reader != nil, writable: registration.writer != nil,
                                  add: !registration.addedToEpoll)
                } catch {
                    return error
                }
                registration.addedToEpoll = true
                state.registrations[fd] = registration
                return nil
            }
            if let failure { continuation.resume(throwing: failure) }
        }
    }

    /// Removes `socket` from the pool before its owner closes it, failing any waiter with
    /// `SocketError.closed`. Must precede `close` so a reused descriptor number starts clean.
    public func forget(_ socket: Socket) {
        let fd = socket.fileDescriptor
        let removed: Registration? = state.withLock { state in
            guard let registration = state.registrations.removeValue(forKey: fd) else { return nil }
            if registration.addedToEpoll { epoll.remove(fd) }
            return registration
        }
        removed?.reader?.continuation.resume(throwing: SocketError.closed)
        removed?.writer?.continuation.resume(throwing: SocketError.closed)
    }

    /// Fails every waiter of `socket` with `SocketError.closed` but keeps it registered (used to
    /// interrupt idle keep-alive reads during graceful shutdown).
    public func interrupt(_ socket: Socket) {
        let fd = socket.fileDescriptor
        let waiters: [Waiter] = state.withLock { state in
            guard var registration = state.registrations[fd] else { return [] }
            let waiters = [registration.reader, registration.writer].compactMap { $0 }
            registration.reader = nil
            registration.writer = nil
            state.registrations[fd] = registration
            return waiters
        }
        for waiter in waiters { waiter.continuation.resume(throwing: SocketError.closed) }
    }

    /// Stops polling and fails all waiters with `SocketError.closed`.
    public func stop() {
        let wasRunning = state.withLock { state in
            defer { state.running = false }
            return state.running
        }
        if wasRunning { epoll.wake() }
    }

    private func runLoop() {
        var events = [Epoll.Event](repeating: .init(fileDescriptor: -1, readable: false, writable: false), count: 256)
        while true {
            let count = epoll.wait(into: &events, timeoutMilliseconds: Int32(sweepInterval.components.seconds * 1000
                + sweepInterval.components.attoseconds / 1_000_000_000_000_000))
            var ready: [UnsafeContinuation<Void, any Error>] = []
            var expired: [UnsafeContinuation<Void, any Error>] = []
            let running = state.withLock { state in
                guard state.running else { return false }
                for event in events.prefix(count) where event.fileDescriptor >= 0 {
                    guard var registration = state.registrations[event.fileDescriptor] else { continue }
                    if event.readable, let reader = registration.reader {
                        ready.append(reader.continuation)
                        registration.reader = nil
                    }
                    if event.writable, let writer = registration.writer {
                        ready.append(writer.continuation)
                        registration.writer = nil
                    }
                    if registration.reader != nil || registration.writer != nil {
                        // One-shot fired: re-arm for the interest still waiting.
                        try? epoll.arm(event.fileDescriptor, readable: registration.reader != nil,
                                       writable: registration.writer != nil, add: false)
                    }
                    state.registrations[event.fileDescriptor] = registration
                }
                let now = ContinuousClock.now
                if now >= state.nextSweep {
                    state.nextSweep = now + sweepInterval
                    for (fd, var registration) in state.registrations {
                        var changed = false
                        if let deadline = registration.reader?.deadline, deadline <= now {
                            expired.append(registration.reader!.continuation)
                            registration.reader = nil
                            changed = true
                        }
                        if let deadline = registration.writer?.deadline, deadline <= now {
                            expired.append(registration.writer!.continuation)
                            registration.writer = nil
                            changed = true
                        }
                        if changed { state.registrations[fd] = registration }
                    }
                }
                return true
            }
            for continuation in ready { continuation.resume() }
            for continuation in expired { continuation.resume(throwing: SocketError.timedOut) }
            if !running { break }
        }
        let remaining = state.withLock { state in
            defer { state.registrations.removeAll() }
            return state.registrations.values.flatMap { [$0.reader, $0.writer].compactMap { $0 } }
        }
        for waiter in remaining { waiter.continuation.resume(throwing: SocketError.closed) }
        epoll.close()
    }
}
