import AWS
import Foundation
import Testing
import TestSupport

/// EC2 (Query/XML) against a real moto server over HTTP.
@Suite("EC2 against moto")
struct EC2MotoTests {
    /// An AMI from moto's built-in catalogue.
    static let imageId = "ami-03cf127a"
    let server: MotoServer
    let ec2: EC2Client

    init() async throws {
        server = try await MotoServer.shared()
        ec2 = EC2Client(configuration: server.configuration())
    }

    /// The user data moto stored for an instance, read back through DescribeInstanceAttribute
    /// (a raw Query call: the fleet never needs it, only this test).
    func userData(of instanceId: String) async throws -> Data? {
        var form = QueryProtocolForm(action: "DescribeInstanceAttribute", version: EC2RequestBuilder.apiVersion)
        form.add("InstanceId", instanceId)
        form.add("Attribute", "userData")
        let root = try XMLTreeReader.parse(try await ec2.core.send(form.request()).body)
        return root.path("userData", "value").flatMap { Data(base64Encoded: $0.text) }
    }

    /// Creates a security group (RunInstances checks that the ids exist) and returns its id.
    func createSecurityGroup() async throws -> String {
        var form = QueryProtocolForm(action: "CreateSecurityGroup", version: EC2RequestBuilder.apiVersion)
        form.add("GroupName", MotoNames.unique("sg"))
        form.add("GroupDescription", "apptier workers")
        let root = try XMLTreeReader.parse(try await ec2.core.send(form.request()).body)
        return try #require(root.text(of: "groupId"))
    }

    @Test("RunInstances launches with tags, user data, instance profile, key, groups and IMDSv2")
    func runInstances() async throws {
        let fleet = MotoNames.unique("fleet")
        let groups = [try await createSecurityGroup(), try await createSecurityGroup()]
        let profileName = MotoNames.unique("profile")
        let profileArn = try await MotoIAM(server: server).createInstanceProfile(profileName)
        let script = Data("#!/bin/bash\n/opt/app/apptier --queue 'jobs q'\n".utf8)
        let launched = try await ec2.runInstances(EC2RunInstancesRequest(
            imageId: Self.imageId, instanceType: "t3.micro", minCount: 2, maxCount: 2, keyName: "worker-key",
            securityGroupIds: groups, instanceProfile: .name(profileName), userData: script,
            tags: ["Name": "apptier", "Fleet": fleet], clientToken: UUID().uuidString))
        #expect(launched.count == 2)
        for instance in launched {
            #expect(instance.instanceId.hasPrefix("i-"))
            #expect(instance.imageId == Self.imageId)
            #expect(instance.instanceType == "t3.micro")
            #expect(instance.keyName == "worker-key")
            #expect(instance.tags == ["Name": "apptier", "Fleet": fleet])
            #expect(instance.launchTime != nil)
            #expect(instance.privateIPAddress != nil)
            #expect(instance.state.isActive)
            #expect(Set(instance.securityGroupIds) == Set(groups))
            #expect(instance.metadataHttpTokens == "required")
            #expect(try await userData(of: instance.instanceId) == script)
        }
        let described = try await ec2.describeAllInstances(filters: [.tag("Fleet", fleet)])
        #expect(Set(described.map(\.instanceId)) == Set(launched.map(\.instanceId)))
        // moto associates the profile with the first instance of a multi-instance launch only,
        // so the profile is checked on single launches, by name and by ARN.
        #expect(described.contains { $0.iamInstanceProfileArn == profileArn })

        for profile in [EC2InstanceProfile.name(profileName), .arn(profileArn)] {
            let single = try await ec2.runInstances(EC2RunInstancesRequest(
                imageId: Self.imageId, instanceType: "t3.micro", instanceProfile: profile, tags: ["Fleet": fleet]))
            let found = try await ec2.describeInstances(instanceIds: single.map(\.instanceId)).instances
            #expect(found.map(\.iamInstanceProfileArn) == [profileArn], "launched with \(profile)")
        }
        try await ec2.terminateInstances(try await ec2.describeAllInstances(filters: [.tag("Fleet", fleet)]).map(\.instanceId))
    }

    @Test("DescribeInstances by tag and state pages with NextToken; TerminateInstances changes state")
    func describeAndTerminate() async throws {
        let fleet = MotoNames.unique("fleet")
        // Separate launches: moto pages by reservation, one per RunInstances call.
        var launchedIds: [String] = []
        for index in 0..<7 {
            let launched = try await ec2.runInstances(EC2RunInstancesRequest(
                imageId: Self.imageId, instanceType: "t3.micro", tags: ["Fleet": fleet, "Index": String(index)]))
            launchedIds += launched.map(\.instanceId)
        }
        // Another fleet's instance must never show up in this one's queries.
        let stranger = try await ec2.runInstances(EC2RunInstancesRequest(imageId: Self.imageId, instanceType: "t3.micro",
                                                                         tags: ["Fleet": MotoNames.unique("other")]))

        var pages: [EC2InstancesPage] = []
        var token: String?
        repeat {
            let page = try await ec2.describeInstances(filters: [.tag("Fleet", fleet), .state(.pending, .running)],
                                                       maxResults: 5, nextToken: token)
            pages.append(page)
            token = page.nextToken
        } while token != nil && pages.count < 10
        #expect(pages.count == 2)
        #expect(pages.flatMap(\.instances).map(\.instanceId).sorted() == launchedIds.sorted())

        let changes = try await ec2.terminateInstances(Array(launchedIds.prefix(3)))
        #expect(changes.map(\.instanceId).sorted() == Array(launchedIds.prefix(3)).sorted())
        #expect(changes.allSatisfy { $0.previousState == .running })
        #expect(changes.allSatisfy { $0.currentState == .shuttingDown || $0.currentState == .terminated })

        let active = try await ec2.describeAllInstances(filters: [.tag("Fleet", fleet), .state(.pending, .running)], pageSize: 5)
        #expect(active.map(\.instanceId).sorted() == Array(launchedIds.dropFirst(3)).sorted())
        let gone = try await ec2.describeAllInstances(filters: [.tag("Fleet", fleet), .state(.shuttingDown, .terminated)])
        #expect(gone.map(\.instanceId).sorted() == Array(launchedIds.prefix(3)).sorted())
        #expect(!active.contains { $0.instanceId == stranger.first?.instanceId })
        try await ec2.terminateInstances(Array(launchedIds.dropFirst(3)) + stranger.map(\.instanceId))
    }

    @Test("CreateTags adds and overwrites tags that DescribeInstances then filters on")
    func createTags() async throws {
        let launched = try await ec2.runInstances(EC2RunInstancesRequest(imageId: Self.imageId, instanceType: "t3.micro",
                                                                         tags: ["Name": "before"]))
        let ids = launched.map(\.instanceId)
        let marker = MotoNames.unique("drain")
        try await ec2.createTags(resourceIds: ids, tags: ["Name": "after", "State": marker])
        let found = try await ec2.describeAllInstances(filters: [.tag("State", marker)])
        #expect(found.map(\.instanceId) == ids)
        #expect(found.first?.tags == ["Name": "after", "State": marker])
        try await ec2.terminateInstances(ids)
    }

    @Test("unknown instance ids are typed errors")
    func unknownInstance() async throws {
        await #expect(throws: EC2Error.self) { try await ec2.terminateInstances(["i-0123456789abcdef0"]) }
        do {
            _ = try await ec2.describeInstances(instanceIds: ["i-0123456789abcdef0"])
            Issue.record("an unknown instance id was accepted")
        } catch EC2Error.instanceNotFound {
            // expected
        }
    }
}
