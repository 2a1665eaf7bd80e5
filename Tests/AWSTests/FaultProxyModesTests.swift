@testable import AWS
import Foundation
import Testing
import TestSupport

/// Each per-request fault of `FaultProxy` reaches our client as the failure it stands for, so
/// the chaos runs built on it exercise the client's real error and retry paths.
@Suite("FaultProxy's per-request faults as our client sees them")
struct FaultProxyModesTests {
    let moto: MotoServer
    let proxy: FaultProxy

    init() async throws {
        moto = try await MotoServer.shared()
        proxy = try FaultProxy(targetPort: moto.port, seed: 12)
    }

    func configuration(through proxy: FaultProxy, retryPolicy: AWSRetryPolicy = .none) -> AWSClientConfiguration {
        var configuration = moto.configuration(retryPolicy: retryPolicy)
        configuration.endpointURL = proxy.endpoint
        return configuration
    }

    func newQueue(_ sqs: SQSClient) async throws -> String {
        try await sqs.createQueue(named: MotoNames.unique("fpq"))
    }

    @Test("serviceUnavailable: SQS (JSON) and S3 (XML, a body behind Expect: 100-continue) decode 503 ServiceUnavailable from its body; the request never reached moto")
    func serviceUnavailable() async throws {
        defer { proxy.stop() }
        let direct = SQSClient(configuration: moto.configuration())
        let queue = try await newQueue(direct)
        let sqs = SQSClient(configuration: configuration(through: proxy))
        let s3 = S3Client(configuration: configuration(through: proxy))
        let bucket = MotoNames.unique("fpb")
        try await S3Client(configuration: moto.configuration()).createBucket(bucket)
        proxy.setMode(.serviceUnavailable)

        // The message is the body's: decoded, not made up from the status.
        let message = "injected by FaultProxy: the service is briefly unavailable"
        await #expect(throws: SQSError.other(code: "ServiceUnavailable", message: message, status: 503, requestID: "faultproxy")) {
            try await sqs.sendMessage(queueURL: queue, body: "never")
        }
        // A body the proxy drains first, and one large enough that the client waits for
        // `100 Continue` before sending it.
        for size in [200_000, 1_500_000] {
            await #expect(throws: S3Error.other(code: "ServiceUnavailable", message: message, status: 503, requestID: "faultproxy")) {
                try await s3.putObject(bucket: bucket, key: "photo.jpg", bytes: Array(repeating: 7, count: size))
            }
        }
        #expect(try await direct.receiveMessages(queueURL: queue, waitTimeSeconds: 0).isEmpty)
        await #expect(throws: (any Error).self) { try await S3Client(configuration: moto.configuration()).headObject(bucket: bucket, key: "photo.jpg") }
        #expect(proxy.faultCounts == ["serviceUnavailable": 3])
    }

    @Test("resetAfterRequest: moto acts on the request, our client sees a retryable lost connection")
    func resetAfterRequest() async throws {
        defer { proxy.stop() }
        let direct = SQSClient(configuration: moto.configuration())
        let queue = try await newQueue(direct)
        let sqs = SQSClient(configuration: configuration(through: proxy))
        proxy.setMode(.resetAfterRequest)

        let error = await #expect(throws: AWSTransportError.self) { try await sqs.sendMessage(queueURL: queue, body: "sent anyway") }
        #expect(error?.kind == .connectionLost)
        #expect(error?.isRetryable == true)
        let arrived = try await direct.receiveMessages(queueURL: queue, waitTimeSeconds: 1)
        #expect(arrived.map(\.body) == ["sent anyway"], "the request reached moto before the reset")
        #expect(proxy.faultCounts == ["resetAfterRequest": 1])
    }

    @Test("delay: the call succeeds, no sooner than the delay")
    func delay() async throws {
        defer { proxy.stop() }
        let sqs = SQSClient(configuration: configuration(through: proxy))
        let queue = try await newQueue(SQSClient(configuration: moto.configuration()))
        proxy.setMode(.delay(.milliseconds(600)))
        let clock = ContinuousClock()
        let start = clock.now
        try await sqs.sendMessage(queueURL: queue, body: "late")
        #expect(clock.now - start >= .milliseconds(600))
        #expect(proxy.faultCounts == ["delay": 1])
    }

    @Test("a fault on a kept-alive connection: the client's next request meets it, and its retry passes")
    func retriedOnKeptAliveConnection() async throws {
        defer { proxy.stop() }
        let proxy = self.proxy
        // The retry's backoff ends the outage, so the second attempt passes.
        let retry = AWSRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(10),
                                   sleep: { _ in proxy.setMode(.pass) })
        let sqs = SQSClient(configuration: configuration(through: proxy, retryPolicy: retry))
        let queue = try await newQueue(SQSClient(configuration: moto.configuration()))
        try await sqs.sendMessage(queueURL: queue, body: "first")
        proxy.setMode(.serviceUnavailable)
        try await sqs.sendMessage(queueURL: queue, body: "second")
        #expect(proxy.faultCounts == ["serviceUnavailable": 1])
        #expect(proxy.tally.count("AmazonSQS.SendMessage") == 3)
        #expect(proxy.connectionCounts["pass", default: 0] <= 2, "the fault met a request of a connection already open")
    }

    @Test("serviceUnavailable is retried: each attempt meets it, the last one's error is thrown")
    func serviceUnavailableRetried() async throws {
        defer { proxy.stop() }
        let retry = AWSRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1))
        let sqs = SQSClient(configuration: configuration(through: proxy, retryPolicy: retry))
        let queue = try await newQueue(SQSClient(configuration: moto.configuration()))
        proxy.setMode(.serviceUnavailable)
        await #expect(throws: SQSError.self) { try await sqs.sendMessage(queueURL: queue, body: "never") }
        #expect(proxy.faultCounts == ["serviceUnavailable": 3])
    }

    @Test("a FaultMix draws faults only inside its window")
    func mixWindow() async throws {
        defer { proxy.stop() }
        let sqs = SQSClient(configuration: configuration(through: proxy))
        let queue = try await newQueue(SQSClient(configuration: moto.configuration()))
        proxy.inject(FaultMix(serviceUnavailable: 1), for: .seconds(30))
        #expect(proxy.isInjecting)
        await #expect(throws: SQSError.self) { try await sqs.sendMessage(queueURL: queue, body: "in the window") }
        proxy.stopInjecting()
        #expect(!proxy.isInjecting)
        try await sqs.sendMessage(queueURL: queue, body: "after it")
        #expect(proxy.faultCounts == ["serviceUnavailable": 1])
    }

    @Test("a FaultMix's draws map onto its kinds by probability", arguments: [
        (0.05, "delay"), (0.15, "resetAfterRequest"), (0.25, "serviceUnavailable"), (0.35, nil), (0.99, nil),
    ] as [(Double, String?)])
    func mixDraws(draw: Double, kind: String?) {
        let mix = FaultMix.even(probability: 0.3)
        #expect(mix.fault(forDraw: draw)?.kind == kind)
    }
}
