import Foundation
import Glibc

/// Holds many connections open without completing a request: half send nothing, half a partial
/// head (slowloris-style).
final class IdleConnections {
    private var descriptors: [Int32] = []

    init(port: UInt16, count: Int) throws {
        for index in 0..<count {
            let fd = FreshConnectionProbe.connect(port: port)
            guard fd >= 0 else { continue }
            if index % 2 == 1 {
                let partial = Array("GET /dynamic HTTP/1.1\r\nHost: bench\r\n".utf8)
                _ = partial.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            descriptors.append(fd)
        }
        Thread.sleep(forTimeInterval: 0.5)
    }

    /// How many are still open (not closed by the server): a server may time idle ones out.
    func countStillOpen() -> Int {
        descriptors.filter { fd in
            var byte: UInt8 = 0
            let result = recv(fd, &byte, 1, Int32(MSG_DONTWAIT) | Int32(MSG_PEEK))
            return result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
        }.count
    }

    func close() {
        for fd in descriptors { Glibc.close(fd) }
        descriptors = []
    }
}

/// One request on a fresh connection, timed: what a new visitor sees.
enum FreshConnectionProbe {
    static func connect(port: UInt16) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 {
            Glibc.close(fd)
            return -1
        }
        return fd
    }

    /// Milliseconds for connect + request + first response bytes, or nil on failure.
    static func request(port: UInt16, path: String) -> Double? {
        let start = ContinuousClock.now
        let fd = connect(port: port)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 12, String(decoding: buffer[9..<12], as: UTF8.self) == "200" else { return nil }
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    /// How many bytes one response to `path` takes on the wire (a keep-alive request, read
    /// until the peer has nothing more within 100 ms), to check servers answer alike.
    static func responseBytes(port: UInt16, path: String) -> Int? {
        let fd = connect(port: port)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET \(path) HTTP/1.1\r\nHost: bench\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            total += count
        }
        return total
    }

    static func medianLatency(port: UInt16, path: String, samples: Int) -> Double? {
        let times = (0..<samples).compactMap { _ in request(port: port, path: path) }.sorted()
        return times.isEmpty ? nil : times[times.count / 2]
    }
}
