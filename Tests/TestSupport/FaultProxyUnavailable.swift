import Foundation

/// The 503 a `FaultProxy` answers in `serviceUnavailable`, shaped as the service itself would
/// send it, so the client decodes a real `ServiceUnavailable` code (and retries it) rather than
/// a bare status: the JSON protocol's body for requests that carry an `X-Amz-Target` (SQS), the
/// XML `<Error>` body of S3 and the Query services otherwise.
enum FaultProxyUnavailable {
    static let code = "ServiceUnavailable"
    static let message = "injected by FaultProxy: the service is briefly unavailable"

    /// The whole response, with `Connection: close` (the proxy closes the connection after it).
    static func response(forJSONProtocol json: Bool) -> [UInt8] {
        let body: String
        let contentType: String
        if json {
            body = #"{"__type":"com.amazonaws.sqs#\#(code)","message":"\#(message)"}"#
            contentType = "application/x-amz-json-1.0"
        } else {
            body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(code)</Code><Message>\(message)</Message>"
                + "<RequestId>faultproxy</RequestId></Error>"
            contentType = "application/xml"
        }
        let head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: \(contentType)\r\n"
            + "Content-Length: \(body.utf8.count)\r\nx-amzn-RequestId: faultproxy\r\nConnection: close\r\n\r\n"
        return Array((head + body).utf8)
    }
}
