@testable import AWS
import Foundation
import Testing
import TestSupport

/// The IMDSv2 client against a loopback metadata service.
@Suite struct IMDSClientTests {
    @Test func instanceIdentityAndRegion() async throws {
        let metadata = try await MetadataServer.start(["--instance-id", "i-0feedface", "--region", "ap-southeast-2"])
        let client = IMDSClient(endpoint: metadata.endpoint)
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
        #expect(try await IMDSClient(endpoint: metadata.endpoint).region() == "sa-east-1")
        #expect(try metadata.log().log.contains { $0.path == "/latest/meta-data/placement/region" })
        await metadata.stop()
    }

    @Test func theTokenIsRenewedWhenItsTTLRunsOut() async throws {
        let metadata = try await MetadataServer.start()
        let client = IMDSClient(endpoint: metadata.endpoint, tokenTTL: .seconds(1))
        _ = try await client.instanceID()
        _ = try await client.instanceID()
        try await Task.sleep(for: .milliseconds(1200))
        _ = try await client.instanceID()
        let puts = try metadata.log().log.filter { $0.method == "PUT" }
        #expect(puts.count == 2, "one token for the first two reads, a new one after its TTL")
        #expect(puts.allSatisfy { $0.ttl == "1" })
        #expect(try metadata.log().log.allSatisfy { $0.outcome != "401" }, "an expiring token is never sent")
        await metadata.stop()
    }

    @Test func aRejectedTokenIsReplacedOnce() async throws {
        let metadata = try await MetadataServer.start()
        let client = IMDSClient(endpoint: metadata.endpoint)
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
        let client = IMDSClient(endpoint: URL(string: "http://127.0.0.1:\(port)")!)
        let error = await #expect(throws: IMDSError.self) { try await client.instanceID() }
        #expect(error?.kind == .unreachable)
    }

    @Test func anInstanceWithoutARoleSaysSo() async throws {
        let metadata = try await MetadataServer.start(["--role", ""])
        let error = await #expect(throws: IMDSError.self) { try await IMDSClient(endpoint: metadata.endpoint).roleName() }
        #expect(error?.kind == .status(404))
        await metadata.stop()
    }
}
