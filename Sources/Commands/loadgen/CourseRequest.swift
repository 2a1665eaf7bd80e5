import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the requests go: an `http://host:port/path` URL (no TLS: the course endpoint is plain HTTP).
struct HTTPTarget: Sendable {
    var host: String
    var port: UInt16
    var path: String

    init?(_ text: String) {
        guard let url = URL(string: text), url.scheme == "http", let host = url.host else { return nil }
        self.host = host
        port = UInt16(url.port ?? 80)
        path = url.path.isEmpty ? "/" : url.path
    }
}

/// What one request came to.
struct Outcome: Sendable {
    var fileName: String
    var status: Int
    var reply: String
    var milliseconds: Double
    var error: String?

    /// The reply must be `<name without extension>:<label>` for this very file.
    var succeeded: Bool {
        let stem = (fileName as NSString).deletingPathExtension
        return error == nil && status == 200 && reply.hasPrefix("\(stem):") && reply.count > stem.count + 1
    }

    var line: String {
        let shown = error ?? (status == 200 ? reply : "HTTP \(status): \(reply.prefix(120))")
        return "\(succeeded ? "ok  " : "FAIL") \(String(format: "%8.1f", milliseconds)) ms  \(fileName)  \(shown)"
    }
}

/// One course-style request over a plain blocking socket: `POST /` with the image in the
/// multipart field `myfile`, `Connection: close`, the whole reply read to EOF. Deliberately not
/// our own server's code or libcurl: a load generator should be an independent client.
enum CourseRequest {
    static func send(image: URL, to target: HTTPTarget, timeoutSeconds: Int) -> Outcome {
        let started = ContinuousClock.now
        func outcome(status: Int = 0, reply: String = "", error: String? = nil) -> Outcome {
            let elapsed = ContinuousClock.now - started
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            return Outcome(fileName: image.lastPathComponent, status: status, reply: reply, milliseconds: ms, error: error)
        }
        guard let bytes = try? Data(contentsOf: image) else { return outcome(error: "cannot read \(image.path)") }
        let boundary = "loadgen-\(UUID().uuidString)"
        let name = image.lastPathComponent.replacingOccurrences(of: "\"", with: "_")
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"myfile\"; filename=\"\(name)\"\r\n".utf8)
        body += Data("Content-Type: application/octet-stream\r\n\r\n".utf8)
        body += bytes
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        let head = "POST \(target.path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\n"
            + "Content-Type: multipart/form-data; boundary=\(boundary)\r\nContent-Length: \(body.count)\r\n"
            + "Connection: close\r\n\r\n"
        let fd: Int32
        switch connect(to: target, timeoutSeconds: timeoutSeconds) {
        case let .success(socket): fd = socket
        case let .failure(message): return outcome(error: message)
        }
        defer { close(fd) }
        guard write(fd, Data(head.utf8) + body) else { return outcome(error: "send failed: \(String(cString: strerror(errno)))") }
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { break }
            if count < 0 {
                return outcome(error: errno == EAGAIN ? "no reply within \(timeoutSeconds) s" : "receive failed: \(String(cString: strerror(errno)))")
            }
            response.append(contentsOf: buffer[0..<count])
        }
        guard let split = response.range(of: Data("\r\n\r\n".utf8)) else { return outcome(error: "no HTTP reply") }
        let statusLine = String(decoding: response[..<split.lowerBound], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        var replyBody = Data(response[split.upperBound...])
        if statusLine.isEmpty == false, response[..<split.lowerBound].range(of: Data("chunked".utf8)) != nil {
            replyBody = dechunk(replyBody)
        }
        let reply = String(decoding: replyBody, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return outcome(status: status, reply: reply)
    }

    private enum Connection { case success(Int32), failure(String) }

    private static func connect(to target: HTTPTarget, timeoutSeconds: Int) -> Connection {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(target.host, String(target.port), &hints, &results) == 0, let first = results else {
            return .failure("cannot resolve \(target.host)")
        }
        defer { freeaddrinfo(results) }
        var lastError = "no address for \(target.host)"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return .success(fd) }
                lastError = "connect failed: \(String(cString: strerror(errno)))"
                close(fd)
            }
            candidate = info.pointee.ai_next
        }
        return .failure(lastError)
    }

    private static func write(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    /// Decodes a chunked body (the reply is small; extensions and trailers are ignored).
    private static func dechunk(_ data: Data) -> Data {
        var output = Data()
        var rest = data[...]
        while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            guard rest.distance(from: start, to: rest.endIndex) >= size else { break }
            output += rest[start..<rest.index(start, offsetBy: size)]
            rest = rest[rest.index(start, offsetBy: min(size + 2, rest.distance(from: start, to: rest.endIndex)))...]
        }
        return output
    }
}

/// Counts and latency percentiles of a run.
struct Summary {
    var succeeded = 0
    var failed = 0
    var text = ""

    init(_ outcomes: [Outcome], elapsed: Duration) {
        succeeded = outcomes.filter(\.succeeded).count
        failed = outcomes.count - succeeded
        let latencies = outcomes.map(\.milliseconds).sorted()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)]
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        text = String(format: "%d requests in %.1f s (%.1f/s): %d ok, %d failed; latency p50 %.0f ms, p99 %.0f ms, max %.0f ms",
                      outcomes.count, seconds, Double(outcomes.count) / max(seconds, 0.001), succeeded, failed,
                      percentile(0.5), percentile(0.99), latencies.last ?? 0)
    }
}
