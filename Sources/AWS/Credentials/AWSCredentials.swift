import Foundation

/// An access key pair, with the session token and expiry of temporary credentials.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// Never prints the secret or the token.
    public var description: String {
        "AWSCredentials(\(accessKeyID), secret: ***\(sessionToken == nil ? "" : ", session token: ***"))"
    }
}

/// Something that yields credentials, possibly after I/O (file, metadata service).
///
/// aws-svc: you do not call this; `AWSServiceClient` asks its configuration's provider before
/// each signing. Tests pass `StaticCredentialsProvider` or the default chain.
public protocol AWSCredentialsProvider: Sendable {
    func credentials() async throws -> AWSCredentials
}

/// Fixed credentials, e.g. from explicit configuration or a test.
public struct StaticCredentialsProvider: AWSCredentialsProvider {
    public let value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        value = AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
    }
    public func credentials() async throws -> AWSCredentials { value }
}

/// Why no credentials could be found or loaded.
public struct AWSCredentialsError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "no AWS credentials: \(message)" }
}
