import CEpoll
import Glibc

/// The Linux readiness API behind `EventLoop`: an epoll instance plus an eventfd to wake it.
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

    /// Adds `fd` edge-triggered for both directions, once for its lifetime.
    func registerEdgeTriggered(_ fd: Int32) throws(SocketError) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        event.data.fd = fd
        guard epoll_ctl(epollFileDescriptor, EPOLL_CTL_ADD, fd, &event) == 0 else {
            throw .lastError("epoll_ctl(ADD)")
        }
    }

    func remove(_ fd: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(epollFileDescriptor, EPOLL_CTL_DEL, fd, &event)
    }

    /// Waits for events into `raw` (the caller's buffer, reused across waits); returns how many
    /// were filled. Read each with `event(_:)`.
    func wait(into raw: UnsafeMutableBufferPointer<epoll_event>, timeoutMilliseconds: Int32) -> Int {
        let count = epoll_wait(epollFileDescriptor, raw.baseAddress, Int32(raw.count), timeoutMilliseconds)
        return max(Int(count), 0)
    }

    /// What a raw event means; nil for the wake-up eventfd (whose counter it resets). Errors and
    /// hang-ups count as both readable and writable so the waiting task runs and sees the error
    /// from `recv`/`send`.
    func event(_ raw: epoll_event) -> Event? {
        let fd = raw.data.fd
        if fd == wakeFileDescriptor {
            var value: UInt64 = 0
            _ = read(wakeFileDescriptor, &value, 8)
            return nil
        }
        let failure = EPOLLERR.rawValue | EPOLLHUP.rawValue
        return Event(fileDescriptor: fd,
                     readable: raw.events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | failure) != 0,
                     writable: raw.events & (EPOLLOUT.rawValue | failure) != 0)
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
