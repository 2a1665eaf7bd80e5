import Foundation
import Testing
@testable import AWS

@Suite("EC2 Query protocol encoding and XML parsing (no network)")
struct EC2UnitTests {
    static func parameters(_ request: AWSRequest) throws -> [String: String] {
        guard case let .data(body) = request.body else { throw EC2Error.invalidRequest(reason: "no body") }
        var result: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    @Test("form encoding escapes everything but unreserved characters, space as %20")
    func formEncoding() {
        var form = QueryProtocolForm(action: "A", version: "1")
        form.add("Tag.1.Value", "a b/c+d=é~_.-")
        #expect(form.encoded == "Action=A&Version=1&Tag.1.Value=a%20b%2Fc%2Bd%3D%C3%A9~_.-")
    }

    @Test("RunInstances carries tags, base64 user data, the instance profile, IMDSv2 with hop limit 1 and the shutdown behaviour")
    func runInstances() throws {
        let request = try EC2RequestBuilder.runInstances(EC2RunInstancesRequest(
            imageId: "ami-1", instanceType: "t3.micro", minCount: 1, maxCount: 2, keyName: "k",
            securityGroupIds: ["sg-1", "sg-2"], subnetId: "subnet-1", instanceProfile: .arn("arn:aws:iam::1:instance-profile/p"),
            userData: Data("#!/bin/sh\necho hi\n".utf8), tags: ["Name": "worker", "Fleet": "f1"], shutdownBehavior: .terminate))
        #expect(request.headers["Content-Type"]?.hasPrefix("application/x-www-form-urlencoded") == true)
        let form = try Self.parameters(request)
        #expect(form["Action"] == "RunInstances" && form["Version"] == "2016-11-15")
        #expect(form["MinCount"] == "1" && form["MaxCount"] == "2")
        #expect(form["SecurityGroupId.1"] == "sg-1" && form["SecurityGroupId.2"] == "sg-2")
        #expect(form["IamInstanceProfile.Arn"] == "arn:aws:iam::1:instance-profile/p")
        #expect(form["UserData"].flatMap { Data(base64Encoded: $0) } == Data("#!/bin/sh\necho hi\n".utf8))
        #expect(form["TagSpecification.1.ResourceType"] == "instance")
        #expect(form["TagSpecification.1.Tag.1.Key"] == "Fleet" && form["TagSpecification.1.Tag.1.Value"] == "f1")
        #expect(form["TagSpecification.1.Tag.2.Key"] == "Name" && form["TagSpecification.1.Tag.2.Value"] == "worker")
        #expect(form["MetadataOptions.HttpTokens"] == "required")
        #expect(form["MetadataOptions.HttpPutResponseHopLimit"] == "1", "only the instance itself may get a token")
        #expect(form["InstanceInitiatedShutdownBehavior"] == "terminate")
        let plain = try Self.parameters(try EC2RequestBuilder.runInstances(EC2RunInstancesRequest(imageId: "ami-1", instanceType: "t3.micro")))
        #expect(plain["InstanceInitiatedShutdownBehavior"] == nil, "EC2's default unless asked")
    }

    @Test("impossible launches are refused here (moto would launch MinCount even above MaxCount)")
    func invalidCounts() {
        #expect(throws: EC2Error.self) {
            try EC2RequestBuilder.runInstances(EC2RunInstancesRequest(imageId: "ami-1", instanceType: "t3.micro", minCount: 5, maxCount: 1))
        }
        #expect(throws: EC2Error.self) {
            try EC2RequestBuilder.runInstances(EC2RunInstancesRequest(imageId: "ami-1", instanceType: "t3.micro",
                                                                      userData: Data(count: 16_385)))
        }
    }

    @Test("DescribeInstances numbers filters and values from 1")
    func describeFilters() throws {
        let request = try EC2RequestBuilder.describeInstances(filters: [.tag("Fleet", "f1"), .state(.pending, .running)],
                                                              maxResults: 5, nextToken: "t")
        let form = try Self.parameters(request)
        #expect(form["Filter.1.Name"] == "tag:Fleet" && form["Filter.1.Value.1"] == "f1")
        #expect(form["Filter.2.Name"] == "instance-state-name")
        #expect(form["Filter.2.Value.1"] == "pending" && form["Filter.2.Value.2"] == "running")
        #expect(form["MaxResults"] == "5" && form["NextToken"] == "t")
        #expect(throws: EC2Error.self) { try EC2RequestBuilder.describeInstances(instanceIds: ["i-1"], maxResults: 5) }
    }

    @Test("a DescribeInstances page is read across reservations, in moto's namespace")
    func describeParse() throws {
        let body = """
            <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15">
              <requestId>r</requestId>
              <reservationSet>
                <item><reservationId>r-1</reservationId><instancesSet>
                  <item><instanceId>i-1</instanceId><imageId>ami-1</imageId>
                    <instanceState><code>16</code><name>running</name></instanceState>
                    <instanceType>t3.micro</instanceType><launchTime>2026-11-30T02:00:00.000Z</launchTime>
                    <privateIpAddress>10.0.0.5</privateIpAddress>
                    <iamInstanceProfile><arn>arn:p</arn><id>x</id></iamInstanceProfile>
                    <tagSet><item><key>Name</key><value>w &amp; 1</value></item></tagSet></item>
                </instancesSet></item>
                <item><reservationId>r-2</reservationId><instancesSet>
                  <item><instanceId>i-2</instanceId><instanceState><code>48</code><name>terminated</name></instanceState></item>
                </instancesSet></item>
              </reservationSet>
              <nextToken>n1</nextToken>
            </DescribeInstancesResponse>
            """
        let page = try EC2ResponseParser.describeInstances(Data(body.utf8))
        #expect(page.instances.map(\.instanceId) == ["i-1", "i-2"])
        #expect(page.instances.map(\.state) == [.running, .terminated])
        #expect(page.instances[0].tags == ["Name": "w & 1"])
        #expect(page.instances[0].privateIPAddress == "10.0.0.5" && page.instances[0].iamInstanceProfileArn == "arn:p")
        #expect(page.instances[0].launchTime == Date(timeIntervalSince1970: 1_796_004_000))
        #expect(page.nextToken == "n1")
    }

    @Test("an instance without an id, or the wrong document, is a malformedResponse error")
    func malformed() {
        #expect(throws: EC2Error.self) {
            try EC2ResponseParser.describeInstances(Data("<DescribeInstancesResponse><reservationSet><item><instancesSet><item/></instancesSet></item></reservationSet></DescribeInstancesResponse>".utf8))
        }
        #expect(throws: EC2Error.self) { try EC2ResponseParser.runInstances(Data("<Other/>".utf8)) }
    }

    @Test("error codes map to typed errors")
    func errorMapping() {
        #expect(EC2Error.from(code: "AuthFailure", message: "m", status: 401, requestID: nil) == .authFailure(message: "m"))
        #expect(EC2Error.from(code: "InvalidInstanceID.NotFound", message: "m", status: 400, requestID: nil) == .instanceNotFound(message: "m"))
    }
}
