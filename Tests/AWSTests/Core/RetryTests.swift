@testable import AWS
import Foundation
import Testing
import TestSupport

/// Records the backoff the client asks for instead of sleeping, and supplies the jitter.
final class RecordingSleeper: @unchecked Sendable {
    // @unchecked: `delays` is only touched under `lock`.
    private let lock = NSLock()
    private var delays: [Duration] = []

    var recorded: [Duration] { lock.withLock { delays } }

    func policy(maxAttempts: Int = 3, base: Duration = .milliseconds(100), max: Duration = .seconds(20),
                random: @escaping @Sendable () -> Double) -> AWSRetryPolicy {
        AWSRetryPolicy(maxAttempts: maxAttempts, baseDelay: base, maxDelay: max, random: random,
                       sleep: { [self] delay in lock.withLock { delays.append(delay) } })
    }
}

/// A JSON error body like SQS's: {"__type": "...", "message": "..."}.
let jsonErrorDecoder = ClosureErrorDecoder { _, headers, body in
    guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
          let type = object["__type"] as? String else { return nil }
    return AWSErrorDetails(code: String(type.split(separator: "#").last ?? ""), message: object["message"] as? String ?? "",
                           requestID: headers["x-amzn-RequestId"])
}

/// Retries through `AWSServiceClient.send` against a loopback fault server that fails on cue.
@Suite struct RetryTests {
    func client(_ server: FaultServer, policy: AWSRetryPolicy) -> AWSServiceClient {
        let configuration = AWSClientConfiguration(
            region: "us-east-1", endpointURL: server.endpoint,
            credentialsProvider: StaticCredentialsProvider(accessKeyID: "AKIDTEST", secretAccessKey: "secret"),
            retryPolicy: policy, timeouts: AWSTimeouts(connect: .seconds(2), request: .seconds(10)))
        return AWSServiceClient(service: .sqs, configuration: configuration, errorDecoder: jsonErrorDecoder)
    }

    static func jsonError(_ status: Int, _ type: String, _ message: String = "try later") -> [String: Any] {
        ["status": status, "body": "{\"__type\":\"com.amazonaws.sqs#\(type)\",\"message\":\"\(message)\"}",
         "headers": ["Content-Type": "application/x-amz-json-1.0"]]
    }

    static var retryableFaults: [(String, [String: Any])] { [
        ("503", ["status": 503, "body": ""]),
        ("500 InternalError", jsonError(500, "InternalError")),
        ("ThrottlingException 400", jsonError(400, "ThrottlingException", "Rate exceeded")),
        ("RequestThrottled 403", jsonError(403, "RequestThrottled")),
        ("SlowDown 503", ["status": 503, "body": "<Error><Code>SlowDown</Code></Error>"]),
        ("429 no body", ["status": 429, "body": ""]),
        ("connection reset", ["reset": true]),
    ] }

    @Test("retryable faults are retried until success", arguments: 0..<7)
    func retriedUntilSuccess(index: Int) async throws {
        let (name, fault) = Self.retryableFaults[index]
        let server = try await FaultServer.start()
        try server.plan([fault, fault])
        let sleeper = RecordingSleeper()
        let response = try await client(server, policy: sleeper.policy(random: { 1.0 }))
            .send(AWSRequest(method: "POST", body: .bytes(Array("{}".utf8))))
        #expect(response.status == 200, "\(name)")
        #expect(try server.log().count == 3, "\(name): two failures and one success")
        // With jitter fixed at 1.0 the delay is the full cap: 100 ms, then 200 ms.
        #expect(sleeper.recorded == [.milliseconds(100), .milliseconds(200)], "\(name)")
        await server.stop()
    }

    @Test func persistentFailureStopsAtMaxAttemptsWithTheLastError() async throws {
        let server = try await FaultServer.start()
        try server.plan(Array(repeating: Self.jsonError(503, "ServiceUnavailable", "down for maintenance"), count: 10))
        let sleeper = RecordingSleeper()
        let error = await #expect(throws: AWSServiceError.self) {
            try await client(server, policy: sleeper.policy(maxAttempts: 4, random: { 0.5 })).send(AWSRequest(method: "POST"))
        }
        #expect(error?.attempts == 4)
        #expect(error?.statusCode == 503)
        #expect(error?.code == "ServiceUnavailable")
        #expect(error?.requestID?.hasPrefix("fault-") == true)
        #expect(error?.description.contains("after 4 attempts") == true)
        #expect(try server.log().count == 4)
        #expect(sleeper.recorded == [.milliseconds(50), .milliseconds(100), .milliseconds(200)])
        await server.stop()
    }

    static var permanentFaults: [(String, [String: Any], String)] { [
        ("400 validation", jsonError(400, "InvalidParameterValue", "Value -1 for VisibilityTimeout is invalid"), "InvalidParameterValue"),
        ("403 signature", ["status": 403, "body": "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>"], "Forbidden"),
        ("403 json signature", jsonError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match"), "SignatureDoesNotMatch"),
        ("404 no body", ["status": 404, "body": ""], "NotFound"),
    ] }

    @Test("other client errors surface at once", arguments: 0..<4)
    func notRetried(index: Int) async throws {
        let (name, fault, code) = Self.permanentFaults[index]
        let server = try await FaultServer.start()
        try server.plan([fault, ["status": 200]])
        let sleeper = RecordingSleeper()
        let error = await #expect(throws: AWSServiceError.self) {
            try await client(server, policy: sleeper.policy(random: { 1.0 })).send(AWSRequest(method: "POST"))
        }
        #expect(error?.code == code, "\(name)")
        #expect(error?.attempts == 1)
        #expect(error?.isRetryable == false)
        #expect(try server.log().count == 1, "\(name) must not be retried")
        #expect(sleeper.recorded.isEmpty)
        #expect(error?.codeFromBody == (code != "Forbidden" && code != "NotFound"), "\(name)")
        if code == "SignatureDoesNotMatch" {
            #expect(error?.description.contains("check AWS_SECRET_ACCESS_KEY") == true)
        }
        await server.stop()
    }

    @Test func aTimeoutIsRetriedAndThenReported() async throws {
        let server = try await FaultServer.start()
        try server.plan([["delay": 2, "status": 200], ["delay": 2, "status": 200]])
        let sleeper = RecordingSleeper()
        var policy = sleeper.policy(maxAttempts: 2, random: { 0 })
        policy.maxAttempts = 2
        var configuration = client(server, policy: policy).configuration
        configuration.timeouts = AWSTimeouts(connect: .seconds(1), request: .milliseconds(300))
        let error = await #expect(throws: AWSTransportError.self) {
            try await AWSServiceClient(service: .sqs, configuration: configuration, errorDecoder: jsonErrorDecoder)
                .send(AWSRequest(method: "POST"))
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.attempts == 2)
        #expect(sleeper.recorded == [.zero])
        await server.stop()
    }

    @Test func theRealSleeperWaitsAndSucceeds() async throws {
        let server = try await FaultServer.start()
        try server.plan([["status": 503, "body": ""]])
        let policy = AWSRetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(20))
        let response = try await client(server, policy: policy).send(AWSRequest(method: "GET"))
        #expect(response.status == 200)
        #expect(try server.log().count == 2)
        await server.stop()
    }
}

/// The backoff arithmetic on its own: exponential caps, clamped, with full jitter inside them.
@Suite struct BackoffTests {
    @Test func capsDoubleUntilTheMaximum() {
        let policy = AWSRetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        let caps = (1...6).map { policy.backoffCap(afterAttempt: $0) }
        #expect(caps == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        #expect(policy.backoffCap(afterAttempt: 200) == .seconds(1), "large attempt numbers must not overflow")
    }

    @Test("jittered delays stay within [0, cap]", arguments: [1, 42, 2026])
    func jitterWithinBounds(seed: UInt64) {
        let generator = SeededRandom(seed: seed)
        let policy = AWSRetryPolicy(maxAttempts: 8, baseDelay: .milliseconds(50), maxDelay: .seconds(2),
                                    random: { generator.nextUnit() })
        var sawLow = false, sawHigh = false
        for attempt in 1...8 {
            for _ in 0..<200 {
                let delay = policy.delay(afterAttempt: attempt)
                let cap = policy.backoffCap(afterAttempt: attempt)
                #expect(delay >= .zero && delay <= cap)
                if delay < cap / 4 { sawLow = true }
                if delay > cap * 3 / 4 { sawHigh = true }
            }
        }
        #expect(sawLow && sawHigh, "full jitter spreads over the whole range")
    }

    @Test func outOfRangeRandomValuesAreClamped() {
        let high = AWSRetryPolicy(baseDelay: .milliseconds(100), random: { 7 })
        let low = AWSRetryPolicy(baseDelay: .milliseconds(100), random: { -3 })
        #expect(high.delay(afterAttempt: 1) == .milliseconds(100))
        #expect(low.delay(afterAttempt: 1) == .zero)
        #expect(AWSRetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }
}

/// SplitMix64, so randomised tests are reproducible from their seed.
final class SeededRandom: @unchecked Sendable {
    // @unchecked: `state` is only touched under `lock`.
    private let lock = NSLock()
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    func next() -> UInt64 {
        lock.withLock {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
