import Foundation

/// The sign → send → decode → retry loop behind `AWSServiceClient.send`.
struct AWSRequestExecutor: Sendable {
    let client: AWSServiceClient

    func execute(_ request: AWSRequest, downloadTo file: URL?) async throws -> AWSResponse {
        let configuration = client.configuration
        let policy = configuration.retryPolicy
        let target = client.endpoint.target(for: request)
        let payloadHash = try Self.payloadHash(of: request, url: target.urlString)
        var options = SigV4Signer.Options(service: client.service.signingName)
        if request.payloadSigning == .unsigned { options.addContentSHA256Header = true }
        var timeouts = configuration.timeouts
        if let override = request.timeout { timeouts.request = override }

        var attempt = 0
        while true {
            attempt += 1
            let credentials = try await configuration.credentialsProvider.credentials()
            let signer = SigV4Signer(credentials: credentials, service: client.service.signingName,
                                     region: configuration.region, options: options, keyCache: client.keyCache)
            // Signed per attempt: the date must be current, and refreshed credentials may differ.
            let signed = signer.sign(method: request.method, target: target, headers: request.headers,
                                     payloadHash: payloadHash, date: Date())
            let transportRequest = HTTPTransportRequest(method: request.method, url: target.urlString, headers: signed.headers,
                                                        body: request.body, timeouts: timeouts, downloadTo: file)
            let failure: any Error
            do {
                let response = try await client.transport.execute(transportRequest)
                if (200...299).contains(response.status) { return response }
                failure = serviceError(from: response, attempts: attempt)
            } catch var error as AWSTransportError {
                error.attempts = attempt
                failure = error
            }
            guard Self.isRetryable(failure), attempt < policy.maxAttempts else { throw failure }
            try await policy.sleep(policy.delay(afterAttempt: attempt))
        }
    }

    static func isRetryable(_ error: any Error) -> Bool {
        switch error {
        case let error as AWSServiceError: return error.isRetryable
        case let error as AWSTransportError: return error.isRetryable
        default: return false
        }
    }

    func serviceError(from response: AWSResponse, attempts: Int) -> AWSServiceError {
        let details = response.body.isEmpty ? nil
            : client.errorDecoder.decodeError(status: response.status, headers: response.headers, body: response.body)
        return AWSServiceError(
            service: client.service.signingName,
            code: details?.code ?? Self.codeForStatus(response.status),
            message: details?.message ?? "HTTP status \(response.status) with \(response.body.isEmpty ? "an empty" : "an unrecognised") body",
            requestID: details?.requestID ?? response.requestID,
            statusCode: response.status, attempts: attempts, codeFromBody: details != nil)
    }

    /// A code for bodiless errors (HEAD responses, proxies), so callers can still match on it.
    static func codeForStatus(_ status: Int) -> String {
        switch status {
        case 400: return "BadRequest"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 429: return "TooManyRequestsException"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        default: return "HTTP\(status)"
        }
    }

    static func payloadHash(of request: AWSRequest, url: String) throws -> String {
        if request.payloadSigning == .unsigned { return SigV4.unsignedPayload }
        switch request.body {
        case .empty: return SHA256.emptyHashHex
        case .bytes(let bytes): return SHA256.hex(SHA256.hash(bytes))
        case .data(let data): return SHA256.hex(SHA256.hash(data))
        case .file(let file):
            do { return SHA256.hex(try SHA256.hash(fileAt: file)) } catch {
                throw AWSTransportError(kind: .file, message: "cannot read request body file \(file.path): \(error)", url: url)
            }
        }
    }
}
