import Foundation

/// AWS Signature Version 4 for one set of credentials, service and region.
public struct SigV4Signer: Sendable {
    public let credentials: AWSCredentials
    public let service: String
    public let region: String

    public init(credentials: AWSCredentials, service: String, region: String) {
        self.credentials = credentials
        self.service = service
        self.region = region
    }

    /// The query string (encoded, including X-Amz-Signature) for a presigned URL.
    public func presignedQuery(method: String, target: AWSRequestTarget, headers: AWSHeaders, expires: Int, date: Date) -> String {
        target.encodedQuery
    }

    /// The headers to send: `headers` plus Host, X-Amz-Date, X-Amz-Security-Token and Authorization.
    public func signedHeaders(method: String, target: AWSRequestTarget, headers: AWSHeaders, payloadHash: String, date: Date) -> AWSHeaders {
        headers
    }
}
