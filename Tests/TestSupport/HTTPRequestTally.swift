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
}
