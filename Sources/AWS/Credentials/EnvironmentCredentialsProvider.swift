import Foundation

/// Credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and (optionally) AWS_SESSION_TOKEN.
public struct EnvironmentCredentialsProvider: AWSCredentialsProvider {
    public let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// nil when the variables are not set at all; an error when only half of a key pair is.
    public func resolve() throws -> AWSCredentials? {
        let accessKey = environment["AWS_ACCESS_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = environment["AWS_SECRET_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        switch (accessKey, secret) {
        case (nil, nil):
            return nil
        case (let accessKey?, let secret?):
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return AWSCredentials(accessKeyID: accessKey, secretAccessKey: secret, sessionToken: token)
        case (nil, _):
            throw AWSCredentialsError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both or neither")
        case (_, nil):
            throw AWSCredentialsError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both or neither")
        }
    }

    public func credentials() async throws -> AWSCredentials {
        guard let credentials = try resolve() else {
            throw AWSCredentialsError("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        }
        return credentials
    }
}
