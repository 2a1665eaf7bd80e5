import Glibc

/// A stream socket's file descriptor. A plain value: ownership (who closes it) is decided by the
/// listener or connection holding it, and all waiting goes through `SocketPool`.
public struct Socket: Sendable, Hashable {
    public let fileDescriptor: Int32

    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// A non-blocking listening socket on `address` (IPv4 or IPv6; IPv6 listeners are IPv6-only so
    /// an IPv4 listener on the same port can coexist).
    public static func listening(on address: SocketAddress, backlog: Int32 = 1024) throws(SocketError) -> Socket {
        let socket = try makeStream(family: address.family)
        do throws(SocketError) {
            try socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
            if address.family == AF_INET6 {
                try socket.setOption(Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1)
            }
            try socket.bind(to: address)
            try socket.listen(backlog: backlog)
            try socket.setNonBlocking()
        } catch {
            socket.close()
            throw error
        }
        return socket
    }
}
