import AWS
import Foundation
import Testing
import TestSupport

/// The IAM client's pure parts: the global endpoint and signing region, request forms, and
/// responses as real IAM writes them (policy documents URL-encoded, tags as members).
@Suite("IAM client without a server")
struct IAMUnitTests {
    @Test("IAM goes to iam.amazonaws.com and signs for us-east-1 whatever region the system uses")
    func globalEndpoint() {
        let configuration = AWSClientConfiguration(region: "eu-west-1",
                                                   credentialsProvider: StaticCredentialsProvider(MotoServer.testCredentials))
        let client = IAMClient(configuration: configuration)
        #expect(client.core.endpoint.authority == "iam.amazonaws.com")
        #expect(client.core.configuration.region == "us-east-1")
        #expect(AWSEndpoint(service: .sqs, region: "eu-west-1", customEndpoint: nil).authority == "sqs.eu-west-1.amazonaws.com")
    }

    @Test("CreateRole carries the trust policy and sorted tags as Query members")
    func createRoleForm() throws {
        let request = IAMRequestBuilder.createRole(name: "r", assumeRolePolicyDocument: #"{"Version":"2012-10-17"}"#,
                                                   tags: ["b": "2", "a": "1"])
        guard case let .data(body) = request.body else { Issue.record("form body expected"); return }
        let form = String(decoding: body, as: UTF8.self)
        #expect(form.hasPrefix("Action=CreateRole&Version=2010-05-08&RoleName=r&Path=%2F&AssumeRolePolicyDocument=%7B%22Version"))
        #expect(form.hasSuffix("Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=b&Tags.member.2.Value=2"))
    }

    @Test("a URL-encoded policy document, as IAM returns it, is decoded to JSON")
    func urlEncodedPolicy() throws {
        let xml = """
        <GetRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRolePolicyResult>
        <PolicyName>p</PolicyName><RoleName>r</RoleName>
        <PolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D</PolicyDocument>
        </GetRolePolicyResult></GetRolePolicyResponse>
        """
        #expect(try IAMResponseParser.rolePolicyDocument(Data(xml.utf8)) == #"{"Version":"2012-10-17","Statement":[]}"#)
    }

    @Test("a role's ARN, path, trust policy and tags are read; an unexpected root is an error")
    func roleResponse() throws {
        let xml = """
        <GetRoleResponse><GetRoleResult><Role><Path>/</Path><RoleName>app</RoleName><RoleId>AROA1</RoleId>
        <Arn>arn:aws:iam::123456789012:role/app</Arn><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument>
        <Tags><member><Key>elastic-classifier:fleet</Key><Value>f</Value></member></Tags></Role></GetRoleResult></GetRoleResponse>
        """
        let role = try IAMResponseParser.role(Data(xml.utf8), operation: "GetRole")
        #expect(role == IAMRole(roleName: "app", roleId: "AROA1", arn: "arn:aws:iam::123456789012:role/app",
                                assumeRolePolicyDocument: "{}", tags: ["elastic-classifier:fleet": "f"]))
        #expect(throws: IAMError.self) { try IAMResponseParser.role(Data(xml.utf8), operation: "CreateRole") }
    }

    @Test("IAM error codes become typed errors")
    func errors() {
        #expect(IAMError.from(code: "NoSuchEntity", message: nil, status: 404, requestID: nil) == .noSuchEntity(message: nil))
        #expect(IAMError.from(code: "EntityAlreadyExists", message: "x", status: 409, requestID: nil) == .entityAlreadyExists(message: "x"))
        #expect(IAMError.from(code: "MalformedPolicyDocument", message: nil, status: 400, requestID: nil)
                == .invalidInput(code: "MalformedPolicyDocument", message: nil))
    }
}
