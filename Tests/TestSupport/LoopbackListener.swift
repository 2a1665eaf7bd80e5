import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A listening TCP socket on 127.0.0.1 with an ephemeral port, serving each accepted connection
/// on its own thread with `serve`. Blocking sockets and threads keep it simple and independent of
/// the code under test (the tests' own HTTP server and proxies must not share its bugs).
public final class LoopbackListener: @unchecked Sendable {
    // @unchecked: `listeningSocket` is written once in init; `stopped` is guarded by `lock`.
    public let port: UInt16
    private let listeningSocket: Int32
    private let lock = NSLock()
    private var stopped = false

    public init(serve: @escaping @Sendable (Int32) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackHTTP.Failure(description: "socket() failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = LoopbackHTTP.loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            close(fd)
            throw LoopbackHTTP.Failure(description: "bind/listen failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listeningSocket = fd
        let thread = Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if lock.withLock({ stopped }) { return }
                    continue
                }
                Thread { serve(client) }.start()
            }
        }
        thread.start()
    }

    public var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Idempotent: `deinit` calls it again after a test's own `stop()`, and a second `close` of
    /// the same number would close whatever descriptor the process has opened since (a client's
    /// connection to moto, a server's connection), failing another test at random.
    public func stop() {
        let wasRunning = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard wasRunning else { return }
        shutdown(listeningSocket, Int32(SHUT_RDWR))
        close(listeningSocket)
    }

    deinit { stop() }
}

/// Small blocking socket helpers for the test servers.
public enum LoopbackSocket {
    /// Reads until the end of the HTTP head (`\r\n\r\n`); returns the head, or nil on EOF/error.
    public static func readHead(_ fd: Int32) -> String? {
        var data = [UInt8]()
        var byte: UInt8 = 0
        while data.count < 65_536 {
            guard recv(fd, &byte, 1, 0) == 1 else { return nil }
            data.append(byte)
            if data.count >= 4, data.suffix(4) == [13, 10, 13, 10] { return String(decoding: data, as: UTF8.self) }
        }
        return nil
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Connects to 127.0.0.1:`port`; -1 on failure.
    public static func connect(port: UInt16) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = LoopbackHTTP.loopbackAddress(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 {
            close(fd)
            return -1
        }
        return fd
    }
}
