import CCurl
import Foundation

/// HTTP over libcurl with a pool of reusable easy handles (each keeps its connections alive).
///
/// `curl_easy_perform` blocks, so every transfer runs on a Dispatch thread, never on Swift's
/// cooperative pool. Share one instance between clients to share connections.
public final class CurlTransport: HTTPTransport, Sendable {
    public init() {}

    func execute(_ request: HTTPTransportRequest) async throws -> AWSResponse {
        throw AWSTransportError(kind: .other, message: "transport not implemented yet", url: request.url)
    }
}
