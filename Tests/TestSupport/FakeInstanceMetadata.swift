import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback IMDSv2 endpoint that reports a chosen instance id (moto's own metadata always says
/// `i-fake`, unrelated to the instances it launched). It enforces the v2 token handshake, so a
/// client that skips `PUT /latest/api/token` is refused like on EC2.
public final class InstanceMetadataEndpoint: @unchecked Sendable {
    // @unchecked: `requests` is guarded by `lock`; the rest is immutable after init.
    private let lock = NSLock()
    private var requests: [String] = []
    private var listener: LoopbackListener!
    public let instanceID: String
    private let token = UUID().uuidString

    public init(instanceID: String, region: String = "us-east-1") throws {
        self.instanceID = instanceID
        listener = try LoopbackListener { [weak self] client in
            defer { close(client) }
            guard let self, let head = LoopbackSocket.readHead(client) else { return }
            let requestLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
            self.lock.withLock { self.requests.append(requestLine) }
            let hasToken = head.lowercased().contains("x-aws-ec2-metadata-token: \(self.token.lowercased())")
            let (status, body): (String, String)
            switch requestLine.split(separator: " ").prefix(2).joined(separator: " ") {
            case "PUT /latest/api/token": (status, body) = ("200 OK", self.token)
            case "GET /latest/meta-data/instance-id" where hasToken: (status, body) = ("200 OK", instanceID)
            case "GET /latest/meta-data/placement/region" where hasToken: (status, body) = ("200 OK", region)
            case let other where other.hasPrefix("GET ") && !hasToken: (status, body) = ("401 Unauthorized", "")
            default: (status, body) = ("404 Not Found", "")
            }
            let response = "HTTP/1.1 \(status)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\n\r\n\(body)"
            _ = LoopbackSocket.writeAll(client, Array(response.utf8))
        }
    }

    public var endpoint: URL { listener.endpoint }

    /// The request lines served so far, in order.
    public var requestLines: [String] { lock.withLock { requests } }

    public func stop() { listener.stop() }
}
