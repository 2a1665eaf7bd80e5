import CEpoll
import Glibc

/// The Linux readiness API behind `SocketPool`: an epoll instance plus an eventfd to wake it.
struct Epoll: Sendable {
    struct Event: Sendable {
        var fileDescriptor: Int32
        var readable: Bool
        var writable: Bool
    }

    let epollFileDescriptor: Int32
    let wakeFileDescriptor: Int32

    init() throws(SocketError) {
        epollFileDescriptor = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFileDescriptor >= 0 else { throw .lastError("epoll_create1") }
        wakeFileDescriptor = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard wakeFileDescriptor >= 0 else { throw .lastError("eventfd") }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeFileDescriptor
        guard epoll_ctl(epollFileDescriptor, EPOLL_CTL_ADD, wakeFileDescriptor, &event) == 0 else {
            throw .lastError("epoll_ctl(eventfd)")
        }
    }

    /// Arms `fd` one-shot for the given interests (ADD the first time, MOD afterwards).
    func arm(_ fd: Int32, readable: Bool, writable: Bool, add: Bool) throws(SocketError) {
        var event = epoll_event()
        var mask = EPOLLONESHOT.rawValue
        if readable { mask |= EPOLLIN.rawValue | EPOLLRDHUP.rawValue }
        if writable { mask |= EPOLLOUT.rawValue }
        event.events = mask
        event.data.fd = fd
        guard epoll_ctl(epollFileDescriptor, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) == 0 else {
            throw .lastError(add ? "epoll_ctl(ADD)" : "epoll_ctl(MOD)")
        }
    }

    func remove(_ fd: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(epollFileDescriptor, EPOLL_CTL_DEL, fd, &event)
    }

    /// Waits for events; returns how many of `events` were filled. Errors and hang-ups count as
    /// both readable and writable so the waiting task runs and sees the error from `recv`/`send`.
    func wait(into events: inout [Event], timeoutMilliseconds: Int32) -> Int {
        var raw = [epoll_event](repeating: epoll_event(), count: events.count)
        let count = epoll_wait(epollFileDescriptor, &raw, Int32(raw.count), timeoutMilliseconds)
        guard count > 0 else { return 0 }
        let failure = EPOLLERR.rawValue | EPOLLHUP.rawValue
        for index in 0..<Int(count) {
            let mask = raw[index].events
            let fd = raw[index].data.fd
            if fd == wakeFileDescriptor {
                var value: UInt64 = 0
                _ = read(wakeFileDescriptor, &value, 8)
                events[index] = Event(fileDescriptor: -1, readable: false, writable: false)
                continue
            }
            events[index] = Event(
                fileDescriptor: fd,
                readable: mask & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | failure) != 0,
                writable: mask & (EPOLLOUT.rawValue | failure) != 0)
        }
        return Int(count)
    }

    func wake() {
        var value: UInt64 = 1
        _ = write(wakeFileDescriptor, &value, 8)
    }

    func close() {
        _ = Glibc.close(wakeFileDescriptor)
        _ = Glibc.close(epollFileDescriptor)
    }
}
