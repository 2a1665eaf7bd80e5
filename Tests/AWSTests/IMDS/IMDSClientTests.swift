@testable import AWS
import Foundation
import Testing
import TestSupport

/// The IMDSv2 client against a loopback metadata service.
@Suite struct IMDSClientTests {
    @Test func instanceIdentityAndRegion() async throws {
        let metadata = try await MetadataServer.start(["--instance-id", "i-0feedface", "--region", "ap-southeast-2"])
        let client = IMDSClient(endpoint: metadata.endpoint, environment: [:])
        #expect(try await client.instanceID() == "i-0feedface")
        #expect(try await client.region() == "ap-southeast-2")
        #expect(try await client.roleName() == "app-role")
        let log = try metadata.log()
        #expect(log.log.filter { $0.method == "PUT" }.count == 1, "one token serves every query")
        #expect(log.log.contains { $0.path == "/latest/dynamic/instance-identity/document" })
        await metadata.stop()
    }

    @Test func regionFallsBackToPlacement() async throws {
        let metadata = try await MetadataServer.start(["--region", "sa-east-1", "--no-identity-document"])
        #expect(try await IMDSClient(endpoint: metadata.endpoint, environment: [:]).region() == "sa-east-1")
        #expect(try metadata.log().log.contains { $0.path == "/latest/meta-data/placement/region" })
        await metadata.stop()
    }

    @Test func theTokenIsRenewedBeforeItsTTLRunsOut() async throws {
        let metadata = try await MetadataServer.start()
        let clock = ManualClock()
        let client = IMDSClient(endpoint: metadata.endpoint, environment: [:], tokenTTL: .seconds(600), now: { clock.now })
        _ = try await client.instanceID()
        clock.advance(by: 500)    // 100 s of the TTL left: still reused
        _ = try await client.instanceID()
        clock.advance(by: 50)     // 50 s left, under the 10% margin: renewed before it can expire
        _ = try await client.instanceID()
        let log = try metadata.log().log
        let puts = log.filter { $0.method == "PUT" }
        #expect(puts.count == 2, "one token for the first two reads, a new one near the end of its TTL")
        #expect(puts.allSatisfy { $0.ttl == "600" }, "the configured TTL is requested")
        #expect(log.allSatisfy { $0.outcome != "401" })
        await metadata.stop()
    }

    @Test func theTTLIsClampedToWhatIMDSAccepts() {
        #expect(IMDSClient(endpoint: URL(string: "http://127.0.0.1:9")!, environment: [:], tokenTTL: .seconds(0)).tokenTTL == .seconds(1))
        #expect(IMDSClient(endpoint: URL(string: "http://127.0.0.1:9")!, environment: [:], tokenTTL: .seconds(99_999)).tokenTTL == .seconds(21_600))
    }

    @Test func aRejectedTokenIsReplacedOnce() async throws {
        let metadata = try await MetadataServer.start()
        let client = IMDSClient(endpoint: metadata.endpoint, environment: [:])
        _ = try await client.instanceID()
        try metadata.expireTokens()
        #expect(try await client.instanceID() == "i-0123456789abcdef0")
        let outcomes = try metadata.log().log.map(\.outcome)
        #expect(outcomes == ["token", "200", "401", "token", "200"])
        await metadata.stop()
    }

    @Test func theDefaultEndpointIsRefusedWhenMetadataIsDisabled() async throws {
        let client = IMDSClient(environment: ["AWS_EC2_METADATA_DISABLED": "true"])
        #expect(client.endpoint == IMDSClient.defaultEndpoint)
        let error = await #expect(throws: IMDSError.self) { try await client.instanceID() }
        #expect(error?.kind == .disabled)
    }

    @Test func theEndpointComesFromTheEnvironmentWhenNotGiven() {
        let client = IMDSClient(environment: ["AWS_EC2_METADATA_DISABLED": "true",
                                              "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"])
        #expect(client.endpoint.absoluteString == "http://127.0.0.1:9")
        #expect(client.disabledReason == nil, "an explicitly configured endpoint is used")
    }

    @Test func nothingListeningIsUnreachable() async throws {
        let port = try LoopbackHTTP.freePort()
        let client = IMDSClient(endpoint: URL(string: "http://127.0.0.1:\(port)")!, environment: [:])
        let error = await #expect(throws: IMDSError.self) { try await client.instanceID() }
        #expect(error?.kind == .unreachable)
    }

    @Test func anInstanceWithoutARoleSaysSo() async throws {
        let metadata = try await MetadataServer.start(["--role", ""])
        let error = await #expect(throws: IMDSError.self) { try await IMDSClient(endpoint: metadata.endpoint, environment: [:]).roleName() }
        #expect(error?.kind == .status(404))
        await metadata.stop()
    }
}
