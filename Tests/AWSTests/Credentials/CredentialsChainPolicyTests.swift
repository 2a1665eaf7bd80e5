@testable import AWS
import Foundation
import Logging
import Testing
import TestSupport

/// The chain's policy: a local AWS never asks instance metadata, and a loopback one falls back
/// to moto's test keys, said once in the log.
@Suite struct CredentialsChainPolicyTests {
    static let localMode = CredentialsChainPolicy(instanceRole: .skip(reason: "local mode, no metadata"),
                                                  localTestCredentials: CredentialsChainPolicy.motoTestCredentials)

    /// Metadata explicitly *enabled* and a live endpoint: only the policy keeps the chain away.
    @Test func aSkippedInstanceRoleIsNeverAskedEvenWhenMetadataIsEnabled() async throws {
        let metadata = try await MetadataServer.start()
        let home = try CredentialsChainTests.home(credentials: nil)
        let chain = DefaultCredentialsChain(environment: ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "false"],
                                            metadataEndpoint: metadata.endpoint,
                                            policy: CredentialsChainPolicy(instanceRole: .skip(reason: "local mode, no metadata")))
        let error = await #expect(throws: AWSCredentialsError.self) { try await chain.credentials() }
        #expect(error?.message.contains("local mode, no metadata") == true)
        #expect(error?.message.contains("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") == true)
        #expect(try metadata.log().log.isEmpty, "a skipped instance role must mean no metadata request at all")
        await metadata.stop()
    }

    @Test func localTestCredentialsAreTheLastResortAnnouncedOnce() async throws {
        let metadata = try await MetadataServer.start()
        let home = try CredentialsChainTests.home(credentials: nil)
        let records = LogRecords()
        let chain = DefaultCredentialsChain(environment: ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "false"],
                                            metadataEndpoint: metadata.endpoint, policy: Self.localMode,
                                            logger: Logger(label: "test") { _ in RecordingLogHandler(records) })
        let keys = try await withThrowingTaskGroup(of: AWSCredentials.self) { group in
            for _ in 0..<8 { group.addTask { try await chain.credentials() } }
            return try await group.reduce(into: [AWSCredentials]()) { $0.append($1) }
        }
        #expect(Set(keys.map(\.accessKeyID)) == ["testing"])
        #expect(keys.allSatisfy { $0 == AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing") })
        #expect(records.messages.filter { $0.contains("local test credentials") }.count == 1, "\(records.messages)")
        #expect(try metadata.log().log.isEmpty)
        await metadata.stop()
    }

    @Test func configuredCredentialsStillWinInLocalMode() async throws {
        let home = try CredentialsChainTests.home(credentials: CredentialsChainTests.sampleFile)
        let records = LogRecords()
        let fromFile = DefaultCredentialsChain(environment: ["HOME": home.path], policy: Self.localMode,
                                               logger: Logger(label: "test") { _ in RecordingLogHandler(records) })
        #expect(try await fromFile.credentials().accessKeyID == "AKIDDEFAULT")
        let fromEnvironment = DefaultCredentialsChain(
            environment: ["HOME": home.path, "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"],
            policy: Self.localMode, logger: Logger(label: "test") { _ in RecordingLogHandler(records) })
        #expect(try await fromEnvironment.credentials().accessKeyID == "AKIDENV")
        #expect(records.messages.isEmpty, "no fallback, nothing to announce: \(records.messages)")
    }
}

/// Log messages kept for a test to read.
final class LogRecords: @unchecked Sendable {
    // @unchecked: `stored` is only touched under `lock`.
    private let lock = NSLock()
    private var stored: [String] = []
    var messages: [String] { lock.withLock { stored } }
    func append(_ message: String) { lock.withLock { stored.append(message) } }
}

struct RecordingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(_ records: LogRecords) { self.records = records }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.append("\(event.level) \(event.message)")
    }
}
