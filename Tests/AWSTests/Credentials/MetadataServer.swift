import Foundation

/// `aws_metadata_server.py`: a loopback IMDSv2 service that issues a new role key per fetch.
struct MetadataServer: Sendable {
    let server: PythonHelperServer
    var endpoint: URL { server.endpoint }

    struct Log: Decodable {
        struct Entry: Decodable {
            var method: String
            var path: String
            var outcome: String
            var ttl: String?
        }
        var log: [Entry]
        var issued: Int
    }

    static func start(_ arguments: [String] = []) async throws -> MetadataServer {
        MetadataServer(server: try await PythonHelperServer.start("aws_metadata_server.py", arguments: arguments))
    }

    func stop() async { await server.stop() }
    func log() throws -> Log { try JSONDecoder().decode(Log.self, from: server.control("GET", "/__log")) }
    func expireTokens() throws { try server.control("POST", "/__expire-tokens") }
}

/// A clock a test moves by hand.
final class ManualClock: @unchecked Sendable {
    // @unchecked: `current` is only touched under `lock`.
    private let lock = NSLock()
    private var current = Date()
    var now: Date { lock.withLock { current } }
    func advance(by seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}
