import Glibc

// The platform calls, kept in one place: everything above this file speaks `Socket`.
extension Socket {
    static func makeStream(family: Int32) throws(SocketError) -> Socket {
        let fd = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .lastError("socket") }
        return Socket(fileDescriptor: fd)
    }

    func setOption(_ level: Int32, _ name: Int32, _ value: Int32) throws(SocketError) {
        var value = value
        guard setsockopt(fileDescriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .lastError("setsockopt(\(name))")
        }
    }

    func setNonBlocking() throws(SocketError) {
        let flags = fcntl(fileDescriptor, F_GETFL)
        guard flags >= 0, fcntl(fileDescriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw .lastError("fcntl(O_NONBLOCK)")
        }
    }

    func bind(to address: SocketAddress) throws(SocketError) {
        var storage = address.storage
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fileDescriptor, $0, address.length) }
        }
        guard result == 0 else { throw .lastError("bind(\(address))") }
    }

    func listen(backlog: Int32) throws(SocketError) {
        guard Glibc.listen(fileDescriptor, backlog) == 0 else { throw .lastError("listen") }
    }

    /// The address the kernel actually bound (the real port after binding port 0).
    public func localAddress() throws(SocketError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fileDescriptor, $0, &length) }
        }
        guard result == 0 else { throw .lastError("getsockname") }
        return SocketAddress(storage: storage, length: length)
    }

    /// One non-blocking accept. `nil` means no connection is pending (EAGAIN).
    /// `accept4` needs `_GNU_SOURCE` from Swift, so the flags are set with `fcntl` afterwards.
    public func accept() throws(SocketError) -> (Socket, SocketAddress)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        while true {
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(fileDescriptor, $0, &length) }
            }
            if fd >= 0 {
                let socket = Socket(fileDescriptor: fd)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                do throws(SocketError) {
                    try socket.setNonBlocking()
                } catch {
                    socket.close()
                    throw error
                }
                return (socket, SocketAddress(storage: storage, length: length))
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw .lastError("accept")
            }
        }
    }

    /// Non-blocking receive: a count, 0 at end of stream, or `nil` when nothing is ready.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> Int? {
        while true {
            let count = recv(fileDescriptor, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            case ECONNRESET, ETIMEDOUT, EPIPE: throw .disconnected
            default: throw .lastError("recv")
            }
        }
    }

    /// Non-blocking send with MSG_NOSIGNAL, so a peer that went away is an error value and never
    /// a SIGPIPE. Returns the bytes written, or `nil` when the send buffer is full.
    func send(_ bytes: UnsafeRawBufferPointer) throws(SocketError) -> Int? {
        while true {
            let count = Glibc.send(fileDescriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            case ECONNRESET, EPIPE, ETIMEDOUT: throw .disconnected
            default: throw .lastError("send")
            }
        }
    }

    /// Half-close the write side so the peer sees end of stream while we still read.
    func shutdownWrite() {
        _ = Glibc.shutdown(fileDescriptor, Int32(SHUT_WR))
    }

    public func close() {
        _ = Glibc.close(fileDescriptor)
    }
}
