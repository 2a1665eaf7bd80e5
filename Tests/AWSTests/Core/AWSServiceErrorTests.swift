import AWS
import Testing

/// Which service errors are retried, and what a person is told to do about the others.
@Suite struct AWSServiceErrorTests {
    static func error(_ code: String, _ status: Int) -> AWSServiceError {
        AWSServiceError(service: "sqs", code: code, message: "m", requestID: "r-1", statusCode: status)
    }

    @Test("throttling and transient faults are retryable", arguments: [
        ("Throttling", 400), ("ThrottlingException", 400), ("RequestLimitExceeded", 503), ("SlowDown", 503),
        ("RequestThrottled", 403), ("TooManyRequestsException", 400), ("Anything", 429), ("InternalError", 500),
        ("ServiceUnavailable", 503), ("Whatever", 502), ("RequestTimeout", 400),
    ])
    func retryable(code: String, status: Int) {
        #expect(Self.error(code, status).isRetryable)
    }

    @Test("client mistakes are not retried", arguments: [
        ("SignatureDoesNotMatch", 403), ("InvalidAccessKeyId", 403), ("AccessDenied", 403), ("NoSuchKey", 404),
        ("AWS.SimpleQueueService.NonExistentQueue", 400), ("InvalidParameterValue", 400), ("MalformedXML", 400),
    ])
    func notRetryable(code: String, status: Int) {
        #expect(!Self.error(code, status).isRetryable)
    }

    @Test("the description says what to check", arguments: [
        ("SignatureDoesNotMatch", "check AWS_SECRET_ACCESS_KEY"),
        ("InvalidAccessKeyId", "check AWS_ACCESS_KEY_ID"),
        ("AuthFailure", "check AWS_ACCESS_KEY_ID"),
        ("ExpiredToken", "refresh the session token"),
        ("AccessDenied", "IAM policy"),
        ("ThrottlingException", "lower the request rate"),
    ])
    func hints(code: String, advice: String) {
        let text = Self.error(code, 403).description
        #expect(text.contains(advice), "\(text)")
        #expect(text.contains("r-1") && text.contains(code) && text.contains("403"))
    }

    @Test func transportErrorsAreRetriedOnlyForNetworkFaults() {
        let retried: [AWSTransportError.Kind] = [.connectionFailed, .connectionLost, .timedOut]
        let surfaced: [AWSTransportError.Kind] = [.tls, .file, .invalidRequest, .cancelled, .other]
        #expect(retried.allSatisfy { AWSTransportError(kind: $0, message: "", url: "u").isRetryable })
        #expect(surfaced.allSatisfy { !AWSTransportError(kind: $0, message: "", url: "u").isRetryable })
    }
}
