/// Which task waits on which descriptor, for one `EventLoop`: each waiter is a continuation
/// keyed by descriptor and interest, armed with `EPOLLONESHOT` so a readiness event wakes exactly
/// the waiter that asked for it. Waits may carry a deadline, checked by `sweep`.
///
/// Not thread-safe on its own: its loop keeps it behind a lock.
struct ReadinessTable {
    typealias Continuation = UnsafeContinuation<Void, any Error>

    private struct Waiter {
        var continuation: Continuation
        var deadline: ContinuousClock.Instant?
    }

    private struct Registration {
        var reader: Waiter?
        var writer: Waiter?
        var addedToEpoll = false
    }

    private var registrations: [Int32: Registration] = [:]

    /// Registers `continuation` as the waiter for `interest` on `fd` and arms epoll for it.
    /// At most one reader and one writer may wait on a descriptor at a time.
    mutating func add(_ continuation: Continuation, for fd: Int32, _ interest: SocketPool.Interest,
                      deadline: ContinuousClock.Instant?, epoll: Epoll) throws(SocketError) {
        var registration = registrations[fd] ?? Registration()
        let waiter = Waiter(continuation: continuation, deadline: deadline)
        switch interest {
        case .readable:
            precondition(registration.reader == nil, "two tasks reading one socket")
            registration.reader = waiter
        case .writable:
            precondition(registration.writer == nil, "two tasks writing one socket")
            registration.writer = waiter
        }
        try epoll.arm(fd, readable: registration.reader != nil, writable: registration.writer != nil,
                      add: !registration.addedToEpoll)
        registration.addedToEpoll = true
        registrations[fd] = registration
    }

    /// Forgets `fd` (removing it from epoll); returns its waiters, to be failed.
    mutating func remove(_ fd: Int32, epoll: Epoll) -> [Continuation] {
        guard let registration = registrations.removeValue(forKey: fd) else { return [] }
        if registration.addedToEpoll { epoll.remove(fd) }
        return [registration.reader, registration.writer].compactMap { $0?.continuation }
    }

    /// Takes `fd`'s waiters but keeps it registered.
    mutating func takeWaiters(of fd: Int32) -> [Continuation] {
        guard var registration = registrations[fd] else { return [] }
        let waiters = [registration.reader, registration.writer].compactMap { $0?.continuation }
        registration.reader = nil
        registration.writer = nil
        registrations[fd] = registration
        return waiters
    }

    /// Moves the waiters `event` satisfies into `ready`; re-arms the one-shot for an interest
    /// still waiting.
    mutating func fire(_ event: Epoll.Event, into ready: inout [Continuation], epoll: Epoll) {
        guard var registration = registrations[event.fileDescriptor] else { return }
        if event.readable, let reader = registration.reader {
            ready.append(reader.continuation)
            registration.reader = nil
        }
        if event.writable, let writer = registration.writer {
            ready.append(writer.continuation)
            registration.writer = nil
        }
        if registration.reader != nil || registration.writer != nil {
            try? epoll.arm(event.fileDescriptor, readable: registration.reader != nil,
                           writable: registration.writer != nil, add: false)
        }
        registrations[event.fileDescriptor] = registration
    }

    /// Moves waiters whose deadline has passed into `expired`.
    mutating func sweep(now: ContinuousClock.Instant, into expired: inout [Continuation]) {
        for (fd, var registration) in registrations {
            var changed = false
            if let reader = registration.reader, let deadline = reader.deadline, deadline <= now {
                expired.append(reader.continuation)
                registration.reader = nil
                changed = true
            }
            if let writer = registration.writer, let deadline = writer.deadline, deadline <= now {
                expired.append(writer.continuation)
                registration.writer = nil
                changed = true
            }
            if changed { registrations[fd] = registration }
        }
    }

    /// Empties the table; returns every waiter, to be failed.
    mutating func removeAll() -> [Continuation] {
        defer { registrations.removeAll() }
        return registrations.values.flatMap { [$0.reader, $0.writer].compactMap { $0?.continuation } }
    }
}
