import Glibc
@testable import HTTPServer

/// A blocking loopback TCP client for tests that must send exact bytes (pipelining, malformed
/// requests, slow clients). Every read has a timeout, so a broken server fails the test instead
/// of hanging it.
final class RawClient {
    let fd: Int32
    private var pending: [UInt8] = []

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum ClientError: Error { case connectFailed(Int32), timedOut, closed, malformed(String) }

    /// - Parameters:
    ///   - sourceHost: binds the client to this local address first (e.g. 127.0.0.2), to be a
    ///     different client address on loopback.
    ///   - receiveBufferBytes: a small receive buffer (set before connecting, so the window stays
    ///     small) makes a client that does not read push back on the server sooner.
    init(port: UInt16, host: String = "127.0.0.1", timeoutSeconds: Int = 10, sourceHost: String? = nil,
         receiveBufferBytes: Int32? = nil) throws {
        let address = try SocketAddress(host: host, port: port)
        fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBufferBytes {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        // No close on failure here: every stored property is set, so a throw runs `deinit`,
        // which closes `fd`; closing it here too would close a number reused in the meantime.
        if let sourceHost { try Self.call(bind, fd, try SocketAddress(host: sourceHost, port: 0)) }
        try Self.call(connect, fd, address)
    }

    /// `bind` or `connect` on `address`; throws `connectFailed(errno)`.
    private static func call(_ function: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32, _ fd: Int32,
                             _ address: SocketAddress) throws {
        var storage = address.storage
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { function(fd, $0, address.length) }
        }
        guard result == 0 else { throw ClientError.connectFailed(errno) }
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw ClientError.closed }
            offset += sent
        }
    }

    /// Reads more bytes into `pending`; false at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { throw ClientError.timedOut }
            if errno == ECONNRESET { return false }
            throw ClientError.closed
        }
        if count == 0 { return false }
        pending += chunk[0..<count]
        return true
    }

    /// Whether bytes (or end of stream) are ready to read within `milliseconds`.
    func isReadable(withinMilliseconds milliseconds: Int32) -> Bool {
        if !pending.isEmpty { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    /// True when the server closed the connection (reads end of stream) with nothing more sent.
    func isClosedByServer() throws -> Bool {
        guard pending.isEmpty else { return false }
        return try !fill()
    }

    private func line() throws -> String {
        while true {
            if let index = pending.firstIndex(of: 0x0A), index > 0, pending[index - 1] == 0x0D {
                let line = String(decoding: pending[0..<(index - 1)], as: UTF8.self)
                pending.removeFirst(index + 1)
                return line
            }
            guard try fill() else { throw ClientError.closed }
        }
    }

    /// Exactly `count` bytes (after whatever a previous response read left over).
    func bytes(_ count: Int) throws -> [UInt8] {
        while pending.count < count { guard try fill() else { throw ClientError.closed } }
        defer { pending.removeFirst(count) }
        return Array(pending[0..<count])
    }

    /// Reads one response (status line, headers, body by Content-Length, chunked, or to close).
    /// Interim 1xx responses are returned like any other; `forHead` means no body follows.
    func readResponse(forHead: Bool = false) throws -> Response {
        let statusLine = try line()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw ClientError.malformed(statusLine)
        }
        var headers = HTTPHeaders()
        while true {
            let header = try line()
            if header.isEmpty { break }
            guard let colon = header.firstIndex(of: ":") else { throw ClientError.malformed(header) }
            headers.append(String(header[..<colon]), String(header[header.index(after: colon)...].trimmingOWS()))
        }
        var body: [UInt8] = []
        if forHead || (100..<200).contains(status) || status == 204 || status == 304 {
            // no body
        } else if let length = headers["Content-Length"].flatMap(Int.init) {
            body = try bytes(length)
        } else if headers["Transfer-Encoding"] == "chunked" {
            while true {
                guard let size = Int(try line(), radix: 16) else { throw ClientError.malformed("chunk size") }
                if size == 0 { _ = try line(); break }
                body += try bytes(size)
                _ = try bytes(2)
            }
        } else {
            while try fill() {}
            body = pending
            pending = []
        }
        return Response(status: status, headers: headers, body: body)
    }
}
