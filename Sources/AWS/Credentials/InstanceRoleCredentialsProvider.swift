import Foundation

/// Credentials of the EC2 instance's IAM role, from instance metadata (IMDSv2), refreshed
/// `refreshBefore` their expiry. Concurrent callers share one refresh; if a refresh fails while
/// the old credentials are still valid, the old ones are used.
public actor InstanceRoleCredentialsProvider: AWSCredentialsProvider {
    public let client: IMDSClient
    public let refreshBefore: Duration
    private let now: @Sendable () -> Date
    private var cached: AWSCredentials?
    private var refresh: Task<AWSCredentials, any Error>?

    /// - Parameter now: the clock used to judge expiry (injectable for tests).
    public init(client: IMDSClient, refreshBefore: Duration = .seconds(300), now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.refreshBefore = refreshBefore
        self.now = now
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, !needsRefresh(cached) { return cached }
        if let refresh { return try await refresh.value }
        let client = self.client
        let task = Task { () async throws -> AWSCredentials in
            let role = try await client.roleName()
            return try await client.roleCredentials(role: role)
        }
        refresh = task
        defer { refresh = nil }
        do {
            let fresh = try await task.value
            cached = fresh
            return fresh
        } catch {
            if let cached, let expiration = cached.expiration, expiration > now() { return cached }
            throw AWSCredentialsError("instance role credentials unavailable: \(error)")
        }
    }

    func needsRefresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        let margin = Double(refreshBefore.components.seconds)
        return now().addingTimeInterval(margin) >= expiration
    }
}
