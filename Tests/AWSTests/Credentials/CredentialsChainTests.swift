@testable import AWS
import Foundation
import Testing
import TestSupport

/// The credentials chain, each source on its own and in order, with a real loopback IMDS.
@Suite struct CredentialsChainTests {
    /// A HOME with an optional ~/.aws/credentials, so the machine's own files never leak in.
    static func home(credentials: String?) throws -> URL {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("awscore-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        if let credentials {
            try credentials.write(to: home.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8)
        }
        return home
    }

    static let sampleFile = """
    # shared credentials for tests
    [default]
    aws_access_key_id = AKIDDEFAULT
    aws_secret_access_key = default-secret

    ; a profile with a session token and odd spacing
    [dev]
      aws_access_key_id=AKIDDEV
    aws_secret_access_key   =   dev/secret+with=signs
    aws_session_token = dev-token

    [profile broken]
    aws_access_key_id = AKIDBROKEN
    """

    /// No keys in the environment, metadata off, HOME pointing at `home`.
    static func environment(home: URL, _ extra: [String: String] = [:]) -> [String: String] {
        ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true"].merging(extra) { _, new in new }
    }

    @Test func explicitCredentialsWin() async throws {
        let home = try Self.home(credentials: Self.sampleFile)
        let explicit = AWSCredentials(accessKeyID: "AKIDEXPLICIT", secretAccessKey: "s")
        let chain = DefaultCredentialsChain(explicit: explicit, environment: Self.environment(home: home, [
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env"]))
        #expect(try await chain.credentials() == explicit)
    }

    @Test func environmentComesBeforeTheFile() async throws {
        let home = try Self.home(credentials: Self.sampleFile)
        let chain = DefaultCredentialsChain(environment: Self.environment(home: home, [
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token"]))
        #expect(try await chain.credentials()
                == AWSCredentials(accessKeyID: "AKIDENV", secretAccessKey: "env-secret", sessionToken: "env-token"))
    }

    @Test("half a key pair in the environment is an error that names the missing variable",
          arguments: [("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"), ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID")])
    func partialEnvironment(present: String, missing: String) async throws {
        let home = try Self.home(credentials: Self.sampleFile)
        let chain = DefaultCredentialsChain(environment: Self.environment(home: home, [present: "x"]))
        let error = await #expect(throws: AWSCredentialsError.self) { try await chain.credentials() }
        #expect(error?.message.contains("\(missing) is not") == true)
    }

    @Test func defaultProfileFromHome() async throws {
        let home = try Self.home(credentials: Self.sampleFile)
        let chain = DefaultCredentialsChain(environment: Self.environment(home: home))
        #expect(try await chain.credentials() == AWSCredentials(accessKeyID: "AKIDDEFAULT", secretAccessKey: "default-secret"))
    }

    @Test func namedProfileFromAnExplicitFile() async throws {
        let home = try Self.home(credentials: nil)
        let file = home.appendingPathComponent("elsewhere.ini")
        try Self.sampleFile.write(to: file, atomically: true, encoding: .utf8)
        let chain = DefaultCredentialsChain(environment: Self.environment(home: home, [
            "AWS_SHARED_CREDENTIALS_FILE": file.path, "AWS_PROFILE": "dev"]))
        #expect(try await chain.credentials()
                == AWSCredentials(accessKeyID: "AKIDDEV", secretAccessKey: "dev/secret+with=signs", sessionToken: "dev-token"))
    }

    @Test func missingNamedProfileListsTheProfiles() async throws {
        let home = try Self.home(credentials: Self.sampleFile)
        let chain = DefaultCredentialsChain(environment: Self.environment(home: home, ["AWS_PROFILE": "prod"]))
        let error = await #expect(throws: AWSCredentialsError.self) { try await chain.credentials() }
        #expect(error?.message.contains("profile 'prod' not found") == true)
        #expect(error?.message.contains("broken, default, dev") == true)
    }

    @Test func profileWithoutSecretIsAnError() async throws {
        let home = try Self.home(credentials: Self.sampleFile)
        let chain = DefaultCredentialsChain(environment: Self.environment(home: home, ["AWS_PROFILE": "broken"]))
        let error = await #expect(throws: AWSCredentialsError.self) { try await chain.credentials() }
        #expect(error?.message.contains("has no aws_secret_access_key") == true)
    }

    @Test func nothingConfiguredAndMetadataDisabledSaysWhatToDo() async throws {
        let home = try Self.home(credentials: nil)
        let chain = DefaultCredentialsChain(environment: Self.environment(home: home))
        let error = await #expect(throws: AWSCredentialsError.self) { try await chain.credentials() }
        #expect(error?.description.contains("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") == true)
        #expect(error?.description.contains("AWS_EC2_METADATA_DISABLED=true") == true)
    }

    @Test func disabledMetadataIsNeverContactedEvenWithAnEndpoint() async throws {
        let metadata = try await MetadataServer.start()
        let home = try Self.home(credentials: nil)
        let chain = DefaultCredentialsChain(environment: Self.environment(home: home), metadataEndpoint: metadata.endpoint)
        await #expect(throws: AWSCredentialsError.self) { try await chain.credentials() }
        #expect(try metadata.log().log.isEmpty, "AWS_EC2_METADATA_DISABLED=true must mean no metadata request at all")
        await metadata.stop()
    }

    @Test func instanceRoleCredentialsComeFromIMDSv2AndAreCached() async throws {
        let metadata = try await MetadataServer.start(["--role", "worker-role"])
        let home = try Self.home(credentials: nil)
        let chain = DefaultCredentialsChain(environment: ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "false"],
                                            metadataEndpoint: metadata.endpoint)
        let first = try await chain.credentials()
        #expect(first.accessKeyID == "ASIAFAKE0001")
        #expect(first.sessionToken == "token-1")
        #expect(first.expiration.map { $0 > Date().addingTimeInterval(3000) } == true)
        let second = try await chain.credentials()
        #expect(second == first)
        let log = try metadata.log()
        #expect(log.issued == 1, "valid credentials are reused")
        #expect(log.log.first?.method == "PUT" && log.log.first?.ttl == "21600", "IMDSv2: token first, with a TTL")
        #expect(log.log.filter { $0.method == "PUT" }.count == 1, "the token is reused")
        #expect(log.log.contains { $0.path == "/latest/meta-data/iam/security-credentials/worker-role" })
        await metadata.stop()
    }

    @Test func roleCredentialsAreRefreshedBeforeExpiry() async throws {
        let metadata = try await MetadataServer.start(["--credential-lifetime", "3600"])
        let clock = ManualClock()
        let provider = InstanceRoleCredentialsProvider(client: IMDSClient(endpoint: metadata.endpoint, environment: [:]),
                                                       refreshBefore: .seconds(300), now: { clock.now })
        #expect(try await provider.credentials().accessKeyID == "ASIAFAKE0001")
        clock.advance(by: 3000)   // 10 minutes left: still outside the 5-minute window
        #expect(try await provider.credentials().accessKeyID == "ASIAFAKE0001")
        clock.advance(by: 400)    // 200 s left: inside the window, refresh now
        #expect(try await provider.credentials().accessKeyID == "ASIAFAKE0002")
        #expect(try metadata.log().issued == 2)
        await metadata.stop()
    }

    @Test func concurrentCallersShareOneRefresh() async throws {
        let metadata = try await MetadataServer.start()
        let provider = InstanceRoleCredentialsProvider(client: IMDSClient(endpoint: metadata.endpoint, environment: [:]))
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<12 { group.addTask { try await provider.credentials().accessKeyID } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(keys == ["ASIAFAKE0001"])
        #expect(try metadata.log().issued == 1)
        await metadata.stop()
    }

    @Test func aFailedRefreshKeepsStillValidCredentialsThenGivesUp() async throws {
        let metadata = try await MetadataServer.start(["--credential-lifetime", "3600"])
        let clock = ManualClock()
        let provider = InstanceRoleCredentialsProvider(client: IMDSClient(endpoint: metadata.endpoint, environment: [:]),
                                                       refreshBefore: .seconds(300), now: { clock.now })
        let first = try await provider.credentials()
        await metadata.stop()
        clock.advance(by: 3400)   // refresh due, but the service is gone: keep the valid ones
        #expect(try await provider.credentials() == first)
        clock.advance(by: 400)    // now expired
        let error = await #expect(throws: AWSCredentialsError.self) { try await provider.credentials() }
        #expect(error?.message.contains("instance role credentials unavailable") == true)
    }

    @Test func signedRequestsCarryTheRoleKeyAndToken() async throws {
        let metadata = try await MetadataServer.start()
        let server = try await FaultServer.start()
        let home = try Self.home(credentials: nil)
        let chain = DefaultCredentialsChain(environment: ["HOME": home.path], metadataEndpoint: metadata.endpoint)
        let client = AWSServiceClient(
            service: .sqs,
            configuration: AWSClientConfiguration(region: "eu-west-1", endpointURL: server.endpoint, credentialsProvider: chain),
            errorDecoder: jsonErrorDecoder)
        _ = try await client.send(AWSRequest(method: "POST", body: .bytes(Array("{}".utf8))))
        let logged = try #require(try server.log().first)
        #expect(logged.header("Authorization")?.contains("Credential=ASIAFAKE0001/") == true)
        #expect(logged.header("X-Amz-Security-Token") == "token-1")
        await server.stop()
        await metadata.stop()
    }
}

@Suite struct SharedCredentialsFileParserTests {
    @Test func parsesSectionsCommentsAndSpacing() {
        let profiles = SharedCredentialsFileProvider.parse(CredentialsChainTests.sampleFile)
        #expect(Set(profiles.keys) == ["default", "dev", "broken"])
        #expect(profiles["dev"]?["aws_secret_access_key"] == "dev/secret+with=signs")
        #expect(profiles["broken"]?["aws_secret_access_key"] == nil)
    }

    @Test func keysOutsideASectionAreIgnored() {
        #expect(SharedCredentialsFileProvider.parse("aws_access_key_id = X\n[a]\nAWS_Access_Key_ID = Y\n")
                == ["a": ["aws_access_key_id": "Y"]])
    }
}
