import Foundation

/// Pure functions from EC2's XML responses to values. Elements are matched by local name: moto's
/// namespace (`…/2016-11-15` without the trailing `/`) differs from real EC2's.
public enum EC2ResponseParser {
    /// The instances of a `RunInstances` response.
    public static func runInstances(_ body: Data) throws -> [EC2Instance] {
        let root = try document(body, expecting: "RunInstancesResponse")
        return try root.items(in: "instancesSet").map(instance)
    }

    /// One page of `DescribeInstances`: the instances of every reservation, and the next token.
    public static func describeInstances(_ body: Data) throws -> EC2InstancesPage {
        let root = try document(body, expecting: "DescribeInstancesResponse")
        var instances: [EC2Instance] = []
        for reservation in root.items(in: "reservationSet") {
            instances += try reservation.items(in: "instancesSet").map(instance)
        }
        let token = root.text(of: "nextToken").flatMap { $0.isEmpty ? nil : $0 }
        return EC2InstancesPage(instances: instances, nextToken: token)
    }

    /// The state changes of a `TerminateInstances` response.
    public static func terminateInstances(_ body: Data) throws -> [EC2InstanceStateChange] {
        try stateChanges(body, operation: "TerminateInstances")
    }

    /// The `instancesSet` of state changes that Terminate-, Stop- and StartInstances answer with.
    static func stateChanges(_ body: Data, operation: String) throws -> [EC2InstanceStateChange] {
        let root = try document(body, expecting: "\(operation)Response")
        return try root.items(in: "instancesSet").map { item in
            guard let id = item.text(of: "instanceId") else { throw missing("instanceId", in: operation) }
            return EC2InstanceStateChange(
                instanceId: id,
                previousState: EC2InstanceState(name: item.path("previousState", "name")?.text ?? ""),
                currentState: EC2InstanceState(name: item.path("currentState", "name")?.text ?? ""))
        }
    }

    /// Checks a `CreateTags` response. Real EC2 says `<return>true</return>`; moto sends no
    /// `<return>` at all, so only an explicit `false` is a failure.
    public static func createTags(_ body: Data) throws {
        let root = try document(body, expecting: "CreateTagsResponse")
        if let value = root.text(of: "return"), value.trimmingCharacters(in: .whitespacesAndNewlines) != "true" {
            throw EC2Error.malformedResponse(operation: "CreateTags", reason: "<return> is not true")
        }
    }

    static func document(_ body: Data, expecting rootName: String) throws -> XMLNode {
        let root: XMLNode
        do {
            root = try XMLTreeReader.parse(body)
        } catch {
            throw EC2Error.malformedResponse(operation: rootName, reason: String(describing: error))
        }
        guard root.name == rootName else {
            throw EC2Error.malformedResponse(operation: rootName, reason: "root element <\(root.name)>")
        }
        return root
    }

    static func instance(_ item: XMLNode) throws -> EC2Instance {
        guard let id = item.text(of: "instanceId"), !id.isEmpty else { throw missing("instanceId", in: "instance") }
        var tags: [String: String] = [:]
        for tag in item.items(in: "tagSet") {
            if let key = tag.text(of: "key") { tags[key] = tag.text(of: "value") ?? "" }
        }
        func nonEmpty(_ name: String) -> String? { item.text(of: name).flatMap { $0.isEmpty ? nil : $0 } }
        return EC2Instance(
            instanceId: id,
            state: EC2InstanceState(name: item.path("instanceState", "name")?.text ?? ""),
            launchTime: nonEmpty("launchTime").flatMap(ISO8601Timestamp.parse),
            tags: tags,
            imageId: nonEmpty("imageId"),
            instanceType: nonEmpty("instanceType"),
            privateIPAddress: nonEmpty("privateIpAddress"),
            keyName: nonEmpty("keyName"),
            subnetId: nonEmpty("subnetId"),
            iamInstanceProfileArn: item.path("iamInstanceProfile", "arn")?.text,
            securityGroupIds: item.items(in: "groupSet").compactMap { $0.text(of: "groupId") },
            metadataHttpTokens: item.path("metadataOptions", "httpTokens")?.text,
            metadataHopLimit: item.path("metadataOptions", "httpPutResponseHopLimit").flatMap { $0.text }.flatMap { Int($0) })
    }

    static func missing(_ element: String, in operation: String) -> EC2Error {
        .malformedResponse(operation: operation, reason: "missing <\(element)>")
    }
}
