/// Which task waits on which descriptor, for one `EventLoop`: each waiter is a continuation
/// keyed by descriptor and interest. Waits may carry a deadline, checked by `sweep`.
///
/// Two ways to watch a descriptor. Edge-triggered (connections): registered once for both
/// directions, never re-armed; an edge with nobody waiting is remembered, and the next wait for
/// it returns at once. That saves an `epoll_ctl` per wait, but is only correct for callers that
/// wait after the socket said "would block" (`AsyncSocket`). One-shot (listeners, which may stop
/// accepting with clients still queued): armed for each wait, so it fires while anything is
/// pending.
///
/// Not thread-safe on its own: its loop keeps it behind a lock.
struct ReadinessTable {
    typealias Continuation = UnsafeContinuation<Void, any Error>

    private struct Waiter {
        var continuation: Continuation
        var deadline: Deadline?
    }

    private struct Registration {
        let edgeTriggered: Bool
        var reader: Waiter?
        var writer: Waiter?
        var addedToEpoll = false
        /// Edges seen while nobody waited (edge-triggered only).
        var readable = false
        var writable = false
    }

    private var registrations = DescriptorMap<Registration>()

    /// Registers `continuation` as the waiter for `interest` on `fd` and arms epoll for it;
    /// false (nothing registered) when an edge already came, so the caller resumes it at once.
    /// At most one reader and one writer may wait on a descriptor at a time.
    mutating func add(_ continuation: Continuation, for fd: Int32, _ interest: SocketPool.Interest,
                      deadline: Deadline?, edgeTriggered: Bool, epoll: Epoll) throws(SocketError) -> Bool {
        var registration = registrations[fd] ?? Registration(edgeTriggered: edgeTriggered)
        let waiter = Waiter(continuation: continuation, deadline: deadline)
        switch interest {
        case .readable:
            precondition(registration.reader == nil, "two tasks reading one socket")
            if registration.readable {
                // Consumed: kept, every later wait would return at once and an idle
                // connection would spin between "would block" and this wait.
                registration.readable = false
                registrations[fd] = registration
                return false
            }
            registration.reader = waiter
        case .writable:
            precondition(registration.writer == nil, "two tasks writing one socket")
            if registration.writable {
                registration.writable = false
                registrations[fd] = registration
                return false
            }
            registration.writer = waiter
        }
        if !registration.edgeTriggered {
            try epoll.arm(fd, readable: registration.reader != nil, writable: registration.writer != nil,
                          add: !registration.addedToEpoll)
        } else if !registration.addedToEpoll {
            try epoll.registerEdgeTriggered(fd)
        }
        registration.addedToEpoll = true
        registrations[fd] = registration
        return true
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

    /// Moves the waiters `event` satisfies into `ready` (or remembers the edge); re-arms a
    /// one-shot for an interest still waiting.
    mutating func fire(_ event: Epoll.Event, into ready: inout [Continuation], epoll: Epoll) {
        guard var registration = registrations[event.fileDescriptor] else { return }
        if event.readable {
            if let reader = registration.reader {
                ready.append(reader.continuation)
                registration.reader = nil
            } else {
                registration.readable = registration.edgeTriggered
            }
        }
        if event.writable {
            if let writer = registration.writer {
                ready.append(writer.continuation)
                registration.writer = nil
            } else {
                registration.writable = registration.edgeTriggered
            }
        }
        if !registration.edgeTriggered && (registration.reader != nil || registration.writer != nil) {
            try? epoll.arm(event.fileDescriptor, readable: registration.reader != nil,
                           writable: registration.writer != nil, add: false)
        }
        registrations[event.fileDescriptor] = registration
    }

    /// Moves waiters whose deadline has passed into `expired`.
    mutating func sweep(now: Deadline, into expired: inout [Continuation]) {
        for (fd, var registration) in registrations.entries {
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
        return registrations.entries.flatMap { [$0.value.reader, $0.value.writer].compactMap { $0?.continuation } }
    }
}
