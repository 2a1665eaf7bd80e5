import Foundation

/// Decodes the XML error bodies of S3 (`<Error><Code>…`) and of the Query protocol services
/// (`<Response><Errors><Error><Code>…`, EC2; `<ErrorResponse><Error>…`, IAM;
/// `<ErrorResponse><Errors><Error>…`, SQS's 403s).
public struct XMLErrorDecoder: AWSErrorDecoder {
    public init() {}

    public func decodeError(status: Int, headers: AWSHeaders, body: Data) -> AWSErrorDetails? {
        guard !body.isEmpty, let root = try? XMLTreeReader.parse(body) else { return nil }
        // `<Error>` may be the root (S3), a child (IAM's `<ErrorResponse>`) or inside `<Errors>`
        // (EC2's `<Response>`, and SQS's `<ErrorResponse>` for authentication failures).
        let error = root.name == "Error" ? root : (root.child("Error") ?? root.path("Errors", "Error"))
        guard let error, let code = error.text(of: "Code")?.trimmingCharacters(in: .whitespacesAndNewlines),
              !code.isEmpty else { return nil }
        let requestID = error.text(of: "RequestId") ?? root.text(of: "RequestID") ?? root.text(of: "RequestId")
        return AWSErrorDetails(code: code, message: error.text(of: "Message") ?? "", requestID: requestID)
    }
}
