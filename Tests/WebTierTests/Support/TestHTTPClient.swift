import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A response as the test client read it.
struct TestResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: Data

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A deliberately plain HTTP/1.1 client over a blocking loopback socket (one request per
/// connection, `Connection: close`), so tests control every byte they send, hostile file names
/// included. Each request runs on its own thread, never on the cooperative pool that also runs
/// the server under test.
enum TestHTTPClient {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func request(port: UInt16, method: String, path: String, headers: [String: String] = [:],
                        body: Data = Data()) async throws -> TestResponse {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try blockingRequest(port: port, method: method, path: path,
                                                                       headers: headers, body: body) })
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    static func get(port: UInt16, _ path: String, headers: [String: String] = [:]) async throws -> TestResponse {
        try await request(port: port, method: "GET", path: path, headers: headers)
    }

    static func upload(port: UInt16, path: String, _ form: MultipartBody, headers: [String: String] = [:]) async throws -> TestResponse {
        var all = headers
        all["Content-Type"] = form.contentType
        return try await request(port: port, method: "POST", path: path, headers: all, body: form.finished.data)
    }

    /// Sends the head of an upload of `form` and the first `sentBytes` of its body, then closes
    /// the connection: a browser whose user cancelled the upload.
    static func abandonedUpload(port: UInt16, path: String, _ form: MultipartBody, sentBytes: Int) async throws {
        let body = form.finished.data
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result {
                    let fd = try connected(port: port)
                    defer { close(fd) }
                    var outgoing = head(port: port, method: "POST", path: path,
                                        headers: ["Content-Type": form.contentType], contentLength: body.count)
                    outgoing.append(body.prefix(sentBytes))
                    try sendAll(fd, outgoing)
                })
            }
            thread.start()
        }
    }

    private static func connected(port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: 180, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "connect to port \(port): errno \(errno)")
        }
        return fd
    }

    private static func head(port: UInt16, method: String, path: String, headers: [String: String],
                             contentLength: Int?) -> Data {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        if let contentLength { head += "Content-Length: \(contentLength)\r\n" }
        head += "\r\n"
        return Data(head.utf8)
    }

    private static func sendAll(_ fd: Int32, _ outgoing: Data) throws {
        try outgoing.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 {
                    if errno == EINTR { continue }
                    // The server may answer early (413) and close; read what it said.
                    if errno == EPIPE || errno == ECONNRESET { break }
                    throw Failure(description: "send: errno \(errno)")
                }
                offset += sent
            }
        }
    }

    private static func blockingRequest(port: UInt16, method: String, path: String, headers: [String: String],
                                        body: Data) throws -> TestResponse {
        let fd = try connected(port: port)
        defer { close(fd) }
        var outgoing = head(port: port, method: method, path: path, headers: headers,
                            contentLength: method == "POST" || !body.isEmpty ? body.count : nil)
        outgoing.append(body)
        try sendAll(fd, outgoing)
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0 && errno == EINTR { continue }
            if count < 0 && errno == ECONNRESET && !received.isEmpty { break }
            guard count >= 0 else { throw Failure(description: "recv: errno \(errno)") }
            if count == 0 { break }
            received.append(contentsOf: chunk[0..<count])
        }
        return try parse(received)
    }

    private static func parse(_ data: Data) throws -> TestResponse {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else {
            throw Failure(description: "no complete response head in \(data.count) bytes")
        }
        let head = String(decoding: data[data.startIndex..<end.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(description: "bad status line") }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return TestResponse(status: status, headers: headers, body: Data(data[end.upperBound...]))
    }
}

/// A `multipart/form-data` body built byte by byte (file names are written raw, as a hostile
/// client would).
struct MultipartBody: Sendable {
    let boundary = "----webtier-test-\(UUID().uuidString)"
    private(set) var data = Data()

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func addFile(field: String, fileName: String, bytes: Data, contentType: String = "application/octet-stream") {
        data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"".utf8))
        data.append(Data(fileName.utf8))
        data.append(Data("\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8))
        data.append(bytes)
        data.append(Data("\r\n".utf8))
    }

    /// A file whose name travels percent-encoded in `filename*` (RFC 8187), any bytes allowed.
    mutating func addFile(field: String, encodedFileName: String, bytes: Data) {
        let encoded = encodedFileName.utf8.map { byte -> String in
            let unreserved = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == 0x2E || byte == 0x2D || byte == 0x5F
            return unreserved ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }.joined()
        data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"x.jpg\"; filename*=UTF-8''\(encoded)\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
        data.append(bytes)
        data.append(Data("\r\n".utf8))
    }

    mutating func addField(_ name: String, _ value: String) {
        data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }

    /// The body with its closing delimiter.
    var finished: MultipartBody {
        var copy = self
        copy.data.append(Data("--\(boundary)--\r\n".utf8))
        return copy
    }
}
