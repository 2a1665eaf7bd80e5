import Foundation

/// Signs, sends and retries requests for one AWS service; the base of the S3, SQS and EC2 clients.
///
/// aws-svc: keep one per service client (it is a cheap `Sendable` value sharing a connection
/// pool) and call `send` for each API call:
/// ```
/// let core = AWSServiceClient(service: .sqs, configuration: config, errorDecoder: SQSErrorDecoder())
/// let response = try await core.send(AWSRequest(method: "POST", headers: [...], body: .data(json)))
/// ```
/// `send` returns only 2xx responses; other statuses throw `AWSServiceError` (decoded by your
/// `AWSErrorDecoder`), network failures throw `AWSTransportError`, and missing credentials
/// throw `AWSCredentialsError`. Presigned URLs come from `presignedURL(for:expires:)`.
public struct AWSServiceClient: Sendable {
    public let service: AWSService
    public let configuration: AWSClientConfiguration
    public let errorDecoder: any AWSErrorDecoder
    /// The resolved endpoint for this service (custom endpoint or the regional AWS host).
    public let endpoint: AWSEndpoint
    let transport: any HTTPTransport
    let keyCache = SigV4SigningKeyCache()

    /// - Parameter transport: shared between clients to share connections; by default each
    ///   client gets its own libcurl connection pool.
    public init(service: AWSService, configuration: AWSClientConfiguration, errorDecoder: any AWSErrorDecoder,
                transport: CurlTransport? = nil) {
        self.service = service
        self.configuration = configuration
        self.errorDecoder = errorDecoder
        endpoint = AWSEndpoint(service: service, region: configuration.region, customEndpoint: configuration.endpointURL)
        self.transport = transport ?? CurlTransport()
    }


    /// Signs and sends `request`, retrying throttling, 5xx and connection failures per the
    /// configuration's retry policy. With `downloadTo`, a 2xx body is written to that file.
    public func send(_ request: AWSRequest, downloadTo file: URL? = nil) async throws -> AWSResponse {
        try await AWSRequestExecutor(client: self).execute(request, downloadTo: file)
    }

    /// A presigned URL (query signing) for `request`, valid for `expires` (at most 7 days).
    /// S3 uses it for GET links a browser can follow without credentials.
    public func presignedURL(for request: AWSRequest, expires: Duration, date: Date = Date()) async throws -> URL {
        let credentials = try await configuration.credentialsProvider.credentials()
        let target = endpoint.target(for: request)
        let signer = SigV4Signer(credentials: credentials, service: service.signingName, region: configuration.region,
                                 keyCache: keyCache)
        let seconds = Int(expires.components.seconds)
        guard (1...604_800).contains(seconds) else {
            throw AWSTransportError(kind: .invalidRequest, message: "presigned URL expiry must be 1 s ... 7 days, got \(seconds) s", url: target.urlString)
        }
        let query = signer.presignedQuery(method: request.method, target: target, headers: request.headers,
                                          expires: seconds, date: date)
        guard let url = URL(string: target.urlString(withEncodedQuery: query)) else {
            throw AWSTransportError(kind: .invalidRequest, message: "could not form a URL", url: target.urlString)
        }
        return url
    }
}
