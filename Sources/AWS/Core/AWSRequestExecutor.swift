import Foundation

/// The sign → send → decode → retry loop behind `AWSServiceClient.send`.
struct AWSRequestExecutor: Sendable {
    let client: AWSServiceClient

    func execute(_ request: AWSRequest, downloadTo file: URL?) async throws -> AWSResponse {
        let configuration = client.configuration
        let policy = configuration.retryPolicy
        let target = client.endpoint.target(for: request)
        var attempt = 0
        while true {
            attempt += 1
            let credentials = try await configuration.credentialsProvider.credentials()
            let signer = SigV4Signer(credentials: credentials, service: client.service.signingName, region: configuration.region)
            let headers = signer.signedHeaders(method: request.method, target: target, headers: request.headers,
                                               payloadHash: "UNSIGNED-PAYLOAD", date: Date())
            var timeouts = configuration.timeouts
            if let override = request.timeout { timeouts.request = override }
            let transportRequest = HTTPTransportRequest(method: request.method, url: target.urlString, headers: headers,
                                                        body: request.body, timeouts: timeouts, downloadTo: file)
            do {
                let response = try await client.transport.execute(transportRequest)
                if (200...299).contains(response.status) { return response }
                let details = client.errorDecoder.decodeError(status: response.status, headers: response.headers, body: response.body)
                let error = AWSServiceError(service: client.service.signingName, code: details?.code ?? "HTTP\(response.status)",
                                            message: details?.message ?? "HTTP status \(response.status)",
                                            requestID: details?.requestID ?? response.requestID,
                                            statusCode: response.status, attempts: attempt)
                guard error.isRetryable, attempt < policy.maxAttempts else { throw error }
            } catch var error as AWSTransportError {
                error.attempts = attempt
                guard error.isRetryable, attempt < policy.maxAttempts else { throw error }
            }
            try await policy.sleep(policy.delay(afterAttempt: attempt))
        }
    }
}
