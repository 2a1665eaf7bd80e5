import Foundation

/// One fully resolved, signed HTTP request for the transport.
struct HTTPTransportRequest: Sendable {
    var method: String
    var url: String
    var headers: AWSHeaders
    var body: AWSRequestBody
    var timeouts: AWSTimeouts
    /// When set, a 2xx body is written to this file instead of memory.
    var downloadTo: URL?
}

/// Sends one HTTP request and returns whatever status came back (no retries, no error decoding).
protocol HTTPTransport: Sendable {
    func execute(_ request: HTTPTransportRequest) async throws -> AWSResponse
}
