import AWS
import Foundation

/// Creates IAM users and access keys through moto's IAM API (Query protocol, signed with our
/// signer as service "iam"), for tests that turn signature checking on.
public struct MotoIAM: Sendable {
    let core: AWSServiceClient

    public init(server: MotoServer) {
        core = AWSServiceClient(service: AWSService(signingName: "iam"), configuration: server.configuration(),
                                errorDecoder: XMLErrorDecoder())
    }

    /// Creates `userName` with an allow-everything inline policy (moto evaluates IAM policies once
    /// checking is on; a user without one is denied) and returns a new access key for it.
    public func createUserWithAccessKey(_ userName: String) async throws -> AWSCredentials {
        try await createUserWithAccessKey(userName, policy: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
    }

    /// Creates `userName` with `policy` as its only inline policy and returns a new access key:
    /// moto then allows that user what the policy allows (S3 resources included; for other
    /// services moto evaluates actions against the resource "*" only).
    public func createUserWithAccessKey(_ userName: String, policy: String) async throws -> AWSCredentials {
        _ = try await call("CreateUser", ["UserName": userName])
        _ = try await call("PutUserPolicy", ["UserName": userName, "PolicyName": "policy", "PolicyDocument": policy])
        let response = try await call("CreateAccessKey", ["UserName": userName])
        guard let key = response.path("CreateAccessKeyResult", "AccessKey"),
              let id = key.text(of: "AccessKeyId"), let secret = key.text(of: "SecretAccessKey") else {
            throw LoopbackHTTP.Failure(description: "CreateAccessKey response without AccessKeyId/SecretAccessKey")
        }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret)
    }

    /// Creates an instance profile (EC2 RunInstances checks that it exists) and returns its ARN.
    public func createInstanceProfile(_ name: String) async throws -> String {
        let response = try await call("CreateInstanceProfile", ["InstanceProfileName": name])
        guard let arn = response.path("CreateInstanceProfileResult", "InstanceProfile")?.text(of: "Arn") else {
            throw LoopbackHTTP.Failure(description: "CreateInstanceProfile response without an Arn")
        }
        return arn
    }

    func call(_ action: String, _ parameters: [String: String]) async throws -> XMLNode {
        var form = QueryProtocolForm(action: action, version: "2010-05-08")
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) { form.add(name, value) }
        return try XMLTreeReader.parse(try await core.send(form.request()).body)
    }
}
