import Foundation
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// Whether something listens at a loopback endpoint, and what it answers: what the commands check
/// before they rely on a local AWS. Refuses any host that is not loopback, so a check can never
/// reach out of the machine.
public enum LoopbackProbe {
    /// The host and port of `url` when its host is loopback (127.0.0.0/8, ::1, localhost).
    public static func loopbackAddress(of url: URL) -> (host: String, port: Int)? {
        guard let rawHost = url.host else { return nil }
        let host = rawHost.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard AWSSettings.isLoopback(host: host) else { return nil }
        return (host, url.port ?? (url.scheme == "https" ? 443 : 80))
    }

    /// True when a TCP connection to `host`:`port` (loopback only) is accepted.
    public static func accepts(host: String, port: Int) -> Bool {
        let socket = connect(host: host, port: port)
        if socket >= 0 { close(socket) }
        return socket >= 0
    }

    /// The status code of `GET path` at `host`:`port` (loopback only), or nil when nothing answers
    /// within `timeout`.
    public static func status(host: String, port: Int, path: String, timeout: Duration = .seconds(2)) -> Int? {
        let socket = connect(host: host, port: port)
        guard socket >= 0 else { return nil }
        defer { close(socket) }
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count
        else { return nil }
        // "HTTP/1.x NNN": the status is all we need.
        var head = [UInt8](repeating: 0, count: 12)
        var received = 0
        while received < head.count {
            let count = head[received...].withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            received += count
        }
        let line = String(decoding: head, as: UTF8.self)
        guard line.hasPrefix("HTTP/") else { return nil }
        return Int(line.dropFirst(9).prefix(3))
    }

    /// A connected TCP socket, or -1.
    private static func connect(host: String, port: Int) -> Int32 {
        guard AWSSettings.isLoopback(host: host) else { return -1 }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else { return -1 }
        defer { freeaddrinfo(first) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            let socket = Glibc.socket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            if socket >= 0 {
                if Glibc.connect(socket, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return socket }
                close(socket)
            }
            entry = current.pointee.ai_next
        }
        return -1
    }
}
