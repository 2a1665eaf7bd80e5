import Foundation

/// The requests that passed through a `FaultProxy`, read from the client's bytes: each request's
/// line (`GET /bucket?list-type=2&prefix=… HTTP/1.1`) and, for the JSON protocols, its
/// `X-Amz-Target` (`AmazonSQS.GetQueueAttributes`). So a test counts what a server really sent to
/// moto, whatever client library sent it.
public final class HTTPRequestTally: @unchecked Sendable {
    // @unchecked: `seen` is only touched under `lock`.
    private let lock = NSLock()
    private var seen: [String] = []

    public init() {}

    /// Every request so far: the request line, then " | " and the X-Amz-Target when there is one.
    public var requests: [String] { lock.withLock { seen } }

    /// Requests whose line or target contains `text`.
    public func count(_ text: String) -> Int { requests.filter { $0.contains(text) }.count }

    func record(_ request: String) { lock.withLock { seen.append(request) } }

    /// Follows one connection's client-to-server bytes: heads are read, bodies skipped by their
    /// Content-Length. A chunked body cannot be followed this way and is recorded as such.
    struct Scanner {
        let tally: HTTPRequestTally
        private var head: [UInt8] = []
        private var bodyLeft = 0
        private var lost = false

        init(tally: HTTPRequestTally) { self.tally = tally }

        mutating func feed(_ bytes: ArraySlice<UInt8>) {
            var rest = bytes
            while !rest.isEmpty, !lost {
                if bodyLeft > 0 {
                    let skipped = min(bodyLeft, rest.count)
                    bodyLeft -= skipped
                    rest = rest.dropFirst(skipped)
                    continue
                }
                head.append(rest.removeFirst())
                if head.count >= 4, head.suffix(4) == [13, 10, 13, 10] { finishHead() }
            }
        }

        private mutating func finishHead() {
            let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
            head = []
            var request = lines.first ?? ""
            for line in lines.dropFirst() {
                let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { continue }
                switch pair[0].lowercased() {
                case "x-amz-target": request += " | " + pair[1]
                case "content-length": bodyLeft = Int(pair[1]) ?? 0
                case "transfer-encoding" where pair[1].lowercased().contains("chunked"): lost = true
                default: break
                }
            }
            tally.record(lost ? request + " | (chunked: later requests on this connection not counted)" : request)
        }
    }
}
