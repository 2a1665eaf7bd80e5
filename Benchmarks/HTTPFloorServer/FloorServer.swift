import Glibc
import HTTPServer

/// The floor under our server's small-request cost: the same event loops, tasks and socket
/// waits as `Server`, and nothing else. Each connection's task reads until it holds a blank line
/// (the end of a request head), answers with the exact bytes our server sends for the
/// benchmark's `/dynamic` (Date frozen), and waits again: no parsing, routing, limits, timeouts
/// or registry. What it costs per request is what the design's runtime costs; the server's HTTP
/// work is the difference between it and `HTTPTestServer`. Benchmark only: it is not an HTTP
/// server (it accepts anything that ends in CRLF CRLF).
///
/// `--port N` (0: any), `--event-loops N` (default one per core). Prints `LISTENING <port>`.
@main
struct FloorServer {
    static let response: [UInt8] = {
        let body = String(repeating: "0123456789", count: 20)
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Sat, 05 Dec 2026 12:00:00 GMT\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n"
        return Array((head + body).utf8)
    }()

    static func main() async throws {
        var port: UInt16 = 0
        var loops: Int?
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let flag = arguments.next() {
            let value = arguments.next() ?? ""
            switch flag {
            case "--port": port = UInt16(value) ?? 0
            case "--event-loops": loops = Int(value)
            default: break
            }
        }
        let pool = try SocketPool(loopCount: loops)
        let listener = try Socket.listening(on: .loopback(port: port))
        let line = Array("LISTENING \(try listener.localAddress().port)\n".utf8)
        _ = line.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
        while true {
            try await pool.wait(for: listener, .readable)
            while let (socket, _) = try listener.accept() {
                var on: Int32 = 1
                setsockopt(socket.fileDescriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                let connection = AsyncSocket(socket: socket, pool: pool)
                Task(executorPreference: pool.loop(for: socket)) {
                    await serve(connection)
                    connection.close()
                }
            }
        }
    }

    /// Answers every complete request head in what arrived, as `HTTPConnection` would: the
    /// response sent before any suspension, a read after a short one waiting for the next edge.
    static func serve(_ socket: AsyncSocket) async {
        var pending: [UInt8] = []
        var drained = false
        let maxBytes = 16 * 1024
        do {
            while true {
                let count = try await socket.read(maxBytes: maxBytes, drained: drained) { pending.append(contentsOf: $0) }
                guard count > 0 else { return }
                drained = count < maxBytes
                while let end = headEnd(in: pending) {
                    pending.removeSubrange(..<end)
                    let sent = try socket.sendAvailable(response)
                    if sent < response.count { try await socket.write(response, from: sent) }
                }
            }
        } catch {
            return
        }
    }

    /// The index just past the first CRLF CRLF, if any.
    static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count where bytes[index] == 0x0A && bytes[index - 1] == 0x0D
            && bytes[index - 2] == 0x0A && bytes[index - 3] == 0x0D {
            return index + 1
        }
        return nil
    }
}
