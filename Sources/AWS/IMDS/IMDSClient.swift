import Foundation

/// Why instance metadata could not be read.
public struct IMDSError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// AWS_EC2_METADATA_DISABLED=true and no explicit endpoint was configured.
        case disabled
        /// Nothing answered (not on EC2, or the endpoint is wrong).
        case unreachable
        /// The service answered with an unexpected status.
        case status(Int)
        /// The answer could not be understood.
        case malformed
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "instance metadata: \(message)" }
}

/// An IMDSv2 client: a session token from `PUT /latest/api/token` (with a TTL), then GETs that
/// carry it. Short timeouts, since off EC2 nothing answers.
///
/// Endpoint: explicit `endpoint`, else `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else the link-local
/// EC2 address, which is refused when `AWS_EC2_METADATA_DISABLED=true` (so tests and laptops
/// never probe it). An explicitly configured endpoint (a test's loopback server) is always used.
public struct IMDSClient: Sendable {
    public static let defaultEndpoint = URL(string: "http://169.254.169.254")!

    public let endpoint: URL
    /// Set when the default endpoint was chosen but metadata access is disabled.
    public let disabledReason: String?
    public let tokenTTL: Duration
    public let timeouts: AWSTimeouts
    let transport: CurlTransport
    let tokens = IMDSTokenCache()
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - tokenTTL: 1 s ... 6 h, sent as X-aws-ec2-metadata-token-ttl-seconds.
    ///   - now: the clock that judges token expiry (injectable for tests).
    public init(endpoint: URL? = nil, environment: [String: String],
                tokenTTL: Duration = .seconds(21_600),
                timeouts: AWSTimeouts = AWSTimeouts(connect: .seconds(1), request: .seconds(2)),
                transport: CurlTransport = CurlTransport(), now: @escaping @Sendable () -> Date = { Date() }) {
        let configured = endpoint ?? environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : URL(string: $0) }
        self.endpoint = configured ?? Self.defaultEndpoint
        if configured == nil, environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            disabledReason = "disabled by AWS_EC2_METADATA_DISABLED=true (set an explicit metadata endpoint to use one)"
        } else {
            disabledReason = nil
        }
        let seconds = min(max(tokenTTL.components.seconds, 1), 21_600)
        self.tokenTTL = .seconds(seconds)
        self.timeouts = timeouts
        self.transport = transport
        self.now = now
    }

    // MARK: Queries

    public func instanceID() async throws -> String {
        try await get("/latest/meta-data/instance-id").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The region from the instance identity document, or `placement/region` when the document
    /// is unavailable.
    public func region() async throws -> String {
        if let document = try? await get("/latest/dynamic/instance-identity/document"),
           let object = try? JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any],
           let region = object["region"] as? String, !region.isEmpty {
            return region
        }
        return try await get("/latest/meta-data/placement/region").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The name of the role in the instance profile (the first line of the listing).
    public func roleName() async throws -> String {
        let listing = try await get("/latest/meta-data/iam/security-credentials/")
        guard let name = listing.split(whereSeparator: \.isNewline).first.map({ $0.trimmingCharacters(in: .whitespaces) }),
              !name.isEmpty else {
            throw IMDSError(.malformed, "the instance has no IAM role (empty security-credentials listing)")
        }
        return name
    }

    /// The role's temporary credentials with their expiry.
    public func roleCredentials(role: String) async throws -> AWSCredentials {
        let text = try await get("/latest/meta-data/iam/security-credentials/\(role)")
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw IMDSError(.malformed, "role credentials for \(role) are not JSON")
        }
        if let code = object["Code"] as? String, code != "Success" {
            throw IMDSError(.malformed, "role credentials for \(role) report \(code): \(object["Message"] as? String ?? "")")
        }
        guard let accessKey = object["AccessKeyId"] as? String, let secret = object["SecretAccessKey"] as? String,
              let token = object["Token"] as? String else {
            throw IMDSError(.malformed, "role credentials for \(role) lack AccessKeyId/SecretAccessKey/Token")
        }
        let expiration = (object["Expiration"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
        guard let expiration else { throw IMDSError(.malformed, "role credentials for \(role) have no valid Expiration") }
        return AWSCredentials(accessKeyID: accessKey, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }

    // MARK: Token and GET

    /// GETs `path` with a session token; a 401 (token expired or server restarted) gets one
    /// retry with a fresh token.
    public func get(_ path: String) async throws -> String {
        if let disabledReason { throw IMDSError(.disabled, disabledReason) }
        for attempt in 1...2 {
            let token = try await sessionToken()
            let response = try await send("GET", path, headers: ["X-aws-ec2-metadata-token": token])
            if response.status == 401, attempt == 1 {
                await tokens.invalidate()
                continue
            }
            guard response.status == 200 else {
                throw IMDSError(.status(response.status), "GET \(path) answered HTTP \(response.status)")
            }
            return String(decoding: response.body, as: UTF8.self)
        }
        throw IMDSError(.status(401), "GET \(path) was refused twice with a fresh token")
    }

    /// A cached token, renewed a little before its TTL runs out.
    func sessionToken() async throws -> String {
        if let token = await tokens.valid(at: now()) { return token }
        let seconds = tokenTTL.components.seconds
        let requestedAt = now()
        let response = try await send("PUT", "/latest/api/token", headers: ["X-aws-ec2-metadata-token-ttl-seconds": String(seconds)])
        guard response.status == 200, !response.body.isEmpty else {
            throw IMDSError(.status(response.status), "token request (PUT /latest/api/token) answered HTTP \(response.status)")
        }
        let token = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        // Renew at 90% of the TTL so a token never expires between check and use.
        await tokens.store(token, expires: requestedAt.addingTimeInterval(Double(seconds) * 0.9))
        return token
    }

    func send(_ method: String, _ path: String, headers: AWSHeaders) async throws -> AWSResponse {
        var base = endpoint.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let request = HTTPTransportRequest(method: method, url: base + path, headers: headers, body: .empty,
                                           timeouts: timeouts, downloadTo: nil)
        do {
            return try await transport.execute(request)
        } catch let error as AWSTransportError {
            throw IMDSError(.unreachable, "\(base) did not answer \(method) \(path): \(error.message)")
        }
    }
}

/// The current IMDSv2 session token.
actor IMDSTokenCache {
    private var token: String?
    private var expires = Date.distantPast

    func valid(at now: Date) -> String? { now < expires ? token : nil }

    func store(_ token: String, expires: Date) {
        self.token = token
        self.expires = expires
    }

    func invalidate() {
        token = nil
        expires = .distantPast
    }
}
