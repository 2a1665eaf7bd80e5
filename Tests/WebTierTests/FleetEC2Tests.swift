import AWS
import Foundation
import Pipeline
import Testing
import TestSupport
@testable import WebTier

/// `EC2Fleet` against moto's EC2 over HTTP: what a launch carries, how the fleet is found again.
@Suite("EC2Fleet against moto")
struct FleetEC2Tests {
    let deployment: FleetTestDeployment
    var ec2: EC2Client { deployment.clients.ec2 }

    init() async throws {
        deployment = try await FleetTestDeployment()
    }

    func query(_ action: String, _ parameters: [(String, String)]) async throws -> XMLNode {
        var form = QueryProtocolForm(action: action, version: EC2RequestBuilder.apiVersion)
        for (name, value) in parameters { form.add(name, value) }
        return try XMLTreeReader.parse(try await ec2.core.send(form.request()).body)
    }

    func createSecurityGroup() async throws -> String {
        let root = try await query("CreateSecurityGroup", [("GroupName", MotoNames.unique("sg")),
                                                           ("GroupDescription", "app tier")])
        return try #require(root.text(of: "groupId"))
    }

    /// A subnet of moto's default VPC.
    func defaultSubnet() async throws -> String {
        let root = try await query("DescribeSubnets", [])
        return try #require(root.path("subnetSet", "item")?.text(of: "subnetId"))
    }

    func userData(of instanceId: String) async throws -> Data? {
        let root = try await query("DescribeInstanceAttribute", [("InstanceId", instanceId), ("Attribute", "userData")])
        return root.path("userData", "value").flatMap { Data(base64Encoded: $0.text) }
    }

    func shutdownBehavior(of instanceId: String) async throws -> String? {
        let root = try await query("DescribeInstanceAttribute", [("InstanceId", instanceId),
                                                                 ("Attribute", "instanceInitiatedShutdownBehavior")])
        return root.path("instanceInitiatedShutdownBehavior", "value")?.text
    }

    func cleanUp(_ fleet: EC2Fleet) async {
        if let ids = try? await fleet.instances().map(\.id), !ids.isEmpty { try? await fleet.terminate(ids: ids) }
    }

    @Test("a launch carries AMI, type, key, security groups, subnet, instance profile, user data, IMDSv2 (hop limit 1), shutdown-terminates and both tags")
    func launchCarriesEveryParameter() async throws {
        let groups = [try await createSecurityGroup(), try await createSecurityGroup()]
        let subnet = try await defaultSubnet()
        let profileName = MotoNames.unique("profile")
        let profileArn = try await MotoIAM(server: deployment.moto).createInstanceProfile(profileName)
        let script = "#!/bin/bash\nexec /opt/elastic-classifier/apptier --config /etc/elastic-classifier.json\n"
        let userDataFile = try deployment.scratchFile("user-data.sh")
        try Data(script.utf8).write(to: userDataFile)
        defer { try? FileManager.default.removeItem(at: userDataFile) }

        var settings = deployment.configuration.fleet
        settings.ec2 = EC2LaunchSettings()
        settings.ec2.imageId = FleetTestDeployment.imageId
        settings.ec2.instanceType = "t3.small"
        settings.ec2.keyName = "app-tier-key"
        settings.ec2.securityGroupIds = groups
        settings.ec2.subnetId = subnet
        settings.ec2.instanceProfile = profileName
        settings.ec2.userDataFile = userDataFile.path
        let fleet = try deployment.ec2Fleet(settings)

        let launched = try await fleet.launch(count: 2)
        #expect(launched.count == 2)
        #expect(launched.map(\.name) == ["app-tier-1", "app-tier-2"])

        let described = try await ec2.describeInstances(instanceIds: launched.map(\.id)).instances
        #expect(described.count == 2)
        for instance in described {
            #expect(instance.imageId == FleetTestDeployment.imageId)
            #expect(instance.instanceType == "t3.small")
            #expect(instance.keyName == "app-tier-key")
            #expect(Set(instance.securityGroupIds) == Set(groups))
            #expect(instance.subnetId == subnet)
            #expect(instance.iamInstanceProfileArn == profileArn)
            #expect(instance.metadataHttpTokens == "required")
            #expect(instance.metadataHopLimit == 1)
            #expect(try await shutdownBehavior(of: instance.instanceId) == "terminate",
                    "a worker that powers off ends its instance instead of leaving a stopped one")
            #expect(instance.tags[EC2Fleet.fleetTagKey] == settings.fleetTag)
            #expect(instance.tags["Name"]?.hasPrefix("app-tier-") == true)
            #expect(try await userData(of: instance.instanceId) == Data(script.utf8))
        }
        await cleanUp(fleet)
    }

    @Test("names take the lowest free numbers of the live fleet, also across concurrent launches")
    func namesAreUniqueAndReused() async throws {
        let fleet = try deployment.ec2Fleet()
        async let first = fleet.launch(count: 2)
        async let second = fleet.launch(count: 2)
        let launched = try await first + second
        #expect(Set(launched.compactMap(\.name)) == ["app-tier-1", "app-tier-2", "app-tier-3", "app-tier-4"])

        let second2 = try #require(launched.first { $0.name == "app-tier-2" })
        try await fleet.terminate(ids: [second2.id])
        let replacement = try await fleet.launch(count: 2)
        #expect(replacement.map(\.name) == ["app-tier-2", "app-tier-5"], "the freed number is taken first")

        let listed = try await fleet.instances()
        #expect(listed.count == 5)
        #expect(Set(listed.compactMap(\.name)).count == 5, "no two live instances share a name")
        await cleanUp(fleet)
    }

    @Test("the listing finds only this fleet's live instances, with state and launch time; another tag is ignored")
    func listingIsScopedByTheFleetTag() async throws {
        let fleet = try deployment.ec2Fleet()
        var otherSettings = deployment.configuration.fleet
        otherSettings.fleetTag = MotoNames.unique("other-fleet")
        let other = try deployment.ec2Fleet(otherSettings)
        let beforeLaunch = Date().addingTimeInterval(-5)

        let ours = try await fleet.launch(count: 2)
        let theirs = try await other.launch(count: 1)
        let untagged = try await ec2.runInstances(EC2RunInstancesRequest(
            imageId: FleetTestDeployment.imageId, instanceType: "t3.micro", tags: ["Name": "app-tier-1"]))

        let listed = try await fleet.instances()
        #expect(Set(listed.map(\.id)) == Set(ours.map(\.id)))
        for instance in listed {
            #expect(instance.state == .running || instance.state == .pending)
            #expect(instance.launchedAt > beforeLaunch && instance.launchedAt < Date().addingTimeInterval(5))
        }
        #expect(try await other.instances().map(\.id) == theirs.map(\.id))
        #expect(theirs.first?.name == "app-tier-1", "another fleet numbers its own instances")

        // Terminating an id that is not ours is skipped, not carried out.
        try await fleet.terminate(ids: theirs.map(\.id) + untagged.map(\.instanceId))
        let stillThere = try await ec2.describeInstances(instanceIds: theirs.map(\.id) + untagged.map(\.instanceId))
        #expect(stillThere.instances.allSatisfy { $0.state == .running }, "other instances are left alone")

        try await ec2.terminateInstances(untagged.map(\.instanceId))
        await cleanUp(other)
        await cleanUp(fleet)
    }

    @Test("terminate ends instances and drops them from the listing; gone or repeated ids are not an error")
    func terminateIsIdempotent() async throws {
        let fleet = try deployment.ec2Fleet()
        let launched = try await fleet.launch(count: 3)
        let victims = Array(launched.prefix(2)).map(\.id)
        try await fleet.terminate(ids: victims)
        let states = try await ec2.describeInstances(instanceIds: victims).instances.map(\.state)
        #expect(states.allSatisfy { $0 == .terminated || $0 == .shuttingDown })
        let listed = try await fleet.instances()
        #expect(listed.map(\.id) == [launched[2].id] || listed.filter(\.state.countsAsCapacity).map(\.id) == [launched[2].id])

        try await fleet.terminate(ids: victims + victims)
        try await fleet.terminate(ids: ["i-0123456789abcdef0"])
        try await fleet.terminate(ids: [])
        await cleanUp(fleet)
    }

    @Test("a restarted web tier (a new EC2Fleet) adopts the running instances and continues their numbering")
    func newFleetObjectAdoptsExistingInstances() async throws {
        let before = try deployment.ec2Fleet()
        let launched = try await before.launch(count: 2)
        let after = try deployment.ec2Fleet()
        let adopted = try await after.instances()
        #expect(Set(adopted.map(\.id)) == Set(launched.map(\.id)))
        #expect(Set(adopted.compactMap(\.name)) == ["app-tier-1", "app-tier-2"])
        let next = try await after.launch(count: 1)
        #expect(next.map(\.name) == ["app-tier-3"])
        await cleanUp(after)
    }

    @Test("a refused launch throws with EC2's reason, launches nothing and frees the names it had reserved")
    func refusedLaunchFreesItsNames() async throws {
        var settings = deployment.configuration.fleet
        settings.ec2.securityGroupIds = ["sg-0000000000doesnotexist"]
        let refused = try deployment.ec2Fleet(settings)
        do throws(FleetError) {
            let launched = try await refused.launch(count: 2)
            Issue.record("a launch into a missing security group succeeded: \(launched)")
        } catch {
            #expect(error.description.contains("sg-0000000000doesnotexist") || error.description.contains("InvalidGroup"),
                    "\(error)")
            if case .partialLaunch = error { Issue.record("nothing should have launched: \(error)") }
        }
        #expect(try await refused.instances().isEmpty)
        #expect(await refused.reservedNames.isEmpty, "app-tier-1 and -2 are free for the next launch")
        #expect(try await refused.launch(count: 0).isEmpty)
    }

    @Test("misconfiguration is refused at construction with what to fix")
    func misconfigurationIsReported() async throws {
        var noImage = deployment.configuration.fleet
        noImage.ec2.imageId = ""
        #expect(throws: FleetError.misconfigured(reason: "fleet.ec2.imageId is empty (the app-tier AMI to launch)")) {
            _ = try EC2Fleet(client: ec2, settings: noImage)
        }
        var missingUserData = deployment.configuration.fleet
        missingUserData.ec2.userDataFile = "/nonexistent/user-data.sh"
        do throws(FleetError) {
            _ = try EC2Fleet(client: ec2, settings: missingUserData)
            Issue.record("a missing user data file was accepted")
        } catch {
            guard case let .misconfigured(reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(reason.contains("/nonexistent/user-data.sh"))
        }
    }

    @Test(arguments: [
        (taken: [String](), count: 3, names: ["w1", "w2", "w3"]),
        (["w1", "w3"], 2, ["w2", "w4"]),
        (["w2", "x1", "w10"], 2, ["w1", "w3"]),
    ])
    func lowestFreeNames(taken: [String], count: Int, names: [String]) {
        #expect(FleetNaming.lowestFreeNames(prefix: "w", taken: Set(taken), count: count) == names)
    }
}
