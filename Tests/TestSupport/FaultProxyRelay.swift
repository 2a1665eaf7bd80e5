import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One connection through a `FaultProxy`: the client's bytes are followed request by request
/// (heads are read, bodies passed by their Content-Length), so that each request can meet its
/// own fault even on a kept-alive connection; the server's bytes are copied back. Clients do not
/// pipeline, so whatever the server sends after a request was forwarded is that request's response.
final class FaultProxyRelay: @unchecked Sendable {
    // @unchecked: `resetPending` and `aborted` are guarded by `lock`; the sockets are owned by
    // the caller and outlive `run()`.
    private let client: Int32
    private let upstream: Int32
    private let tally: HTTPRequestTally
    private let decide: @Sendable () -> FaultProxy.Mode?
    private let lock = NSLock()
    private var resetPending = false
    private var aborted = false

    init(client: Int32, upstream: Int32, tally: HTTPRequestTally, decide: @escaping @Sendable () -> FaultProxy.Mode?) {
        self.client = client
        self.upstream = upstream
        self.tally = tally
        self.decide = decide
    }

    /// Relays until either side ends; the caller closes both sockets.
    func run() {
        let done = DispatchSemaphore(value: 0)
        Thread { [self] in relayResponses(); done.signal() }.start()
        relayRequests()
        done.wait()
    }

    /// Makes the next `close` of `socket` send a reset rather than a FIN.
    static func abort(_ socket: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(socket, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    // MARK: Client to server

    private func relayRequests() {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var head: [UInt8] = []
        var bodyLeft = 0
        var passThrough = false
        /// Set while the body of a request to be answered 503 is drained: whether it is JSON.
        var unavailableJSON: Bool?
        reading: while true {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            var rest = buffer[0..<count]
            while !rest.isEmpty {
                if passThrough {
                    guard LoopbackSocket.writeAll(upstream, Array(rest)) else { break reading }
                    break
                }
                if bodyLeft > 0 {
                    let chunk = rest.prefix(bodyLeft)
                    rest = rest.dropFirst(chunk.count)
                    bodyLeft -= chunk.count
                    if let json = unavailableJSON {
                        if bodyLeft == 0 { answerUnavailable(json: json); return }
                    } else if !LoopbackSocket.writeAll(upstream, Array(chunk)) {
                        break reading
                    }
                    continue
                }
                head.append(rest.removeFirst())
                guard head.count >= 4, head.suffix(4) == [13, 10, 13, 10] else { continue }
                let request = RequestHead(head)
                let bytes = head
                head = []
                tally.record(request.tallyLine)
                switch decide() {
                case .delay(let duration)?:
                    Thread.sleep(forTimeInterval: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
                case .resetAfterRequest?:
                    lock.withLock { resetPending = true }
                case .serviceUnavailable?:
                    // With `Expect: 100-continue` the client waits for a word before sending its
                    // body, so the answer goes at once, as a server refusing it would.
                    guard request.contentLength > 0, !request.expectsContinue, !request.chunked else {
                        answerUnavailable(json: request.isJSONProtocol)
                        return
                    }
                    unavailableJSON = request.isJSONProtocol
                    bodyLeft = request.contentLength
                    continue
                default:
                    break
                }
                guard LoopbackSocket.writeAll(upstream, bytes) else { break reading }
                // A chunked body cannot be followed: the rest of the connection passes untouched.
                if request.chunked { passThrough = true } else { bodyLeft = request.contentLength }
            }
        }
        if !lock.withLock({ aborted }) { shutdown(upstream, Int32(SHUT_WR)) }
    }

    /// Sends the 503, lets the client read it and close, and ends the server side.
    private func answerUnavailable(json: Bool) {
        _ = LoopbackSocket.writeAll(client, FaultProxyUnavailable.response(forJSONProtocol: json))
        shutdown(client, Int32(SHUT_WR))
        // Unread bytes at close would turn the FIN into a reset the client might see first.
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sink = [UInt8](repeating: 0, count: 16_384)
        while sink.withUnsafeMutableBytes({ recv(client, $0.baseAddress, $0.count, 0) }) > 0 {}
        shutdown(upstream, Int32(SHUT_RDWR))
    }

    // MARK: Server to client

    private func relayResponses() {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(upstream, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            if lock.withLock({ () -> Bool in
                guard resetPending else { return false }
                aborted = true
                return true
            }) {
                // The server has answered: the client gets a reset instead (sent when the caller
                // closes it), and the request side stops reading.
                Self.abort(client)
                shutdown(client, Int32(SHUT_RD))
                shutdown(upstream, Int32(SHUT_RDWR))
                return
            }
            if !LoopbackSocket.writeAll(client, Array(buffer[0..<count])) { break }
        }
        shutdown(client, Int32(SHUT_WR))
    }
}

/// What the relay needs from a request head.
struct RequestHead {
    var line: String
    var target: String?
    var contentLength = 0
    var chunked = false
    var expectsContinue = false

    init(_ bytes: [UInt8]) {
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        line = lines.first ?? ""
        for header in lines.dropFirst() {
            let pair = header.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            switch pair[0].lowercased() {
            case "x-amz-target": target = pair[1]
            case "content-length": contentLength = Int(pair[1]) ?? 0
            case "transfer-encoding": chunked = pair[1].lowercased().contains("chunked")
            case "expect": expectsContinue = pair[1].lowercased() == "100-continue"
            default: break
            }
        }
    }

    /// The JSON protocols (SQS) name their operation in `X-Amz-Target`.
    var isJSONProtocol: Bool { target != nil }

    /// As `HTTPRequestTally` lists it.
    var tallyLine: String {
        var text = line
        if let target { text += " | " + target }
        if chunked { text += " | (chunked: later requests on this connection not counted)" }
        return text
    }
}
