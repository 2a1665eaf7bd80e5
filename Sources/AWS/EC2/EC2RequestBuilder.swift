import Foundation

/// Pure functions from EC2 operations to Query protocol requests (API version 2016-11-15).
public enum EC2RequestBuilder {
    public static let apiVersion = "2016-11-15"

    public static func runInstances(_ parameters: EC2RunInstancesRequest) throws -> AWSRequest {
        guard parameters.minCount >= 1, parameters.maxCount >= parameters.minCount else {
            // Checked here: moto launches MinCount instances even when MaxCount is smaller.
            throw EC2Error.invalidRequest(reason: "need 1 <= minCount <= maxCount, got \(parameters.minCount)...\(parameters.maxCount)")
        }
        var form = QueryProtocolForm(action: "RunInstances", version: apiVersion)
        form.add("ImageId", parameters.imageId)
        form.add("InstanceType", parameters.instanceType)
        form.add("MinCount", String(parameters.minCount))
        form.add("MaxCount", String(parameters.maxCount))
        form.add("KeyName", parameters.keyName)
        form.addList("SecurityGroupId", parameters.securityGroupIds)
        form.add("SubnetId", parameters.subnetId)
        switch parameters.instanceProfile {
        case let .name(name)?: form.add("IamInstanceProfile.Name", name)
        case let .arn(arn)?: form.add("IamInstanceProfile.Arn", arn)
        case nil: break
        }
        if let userData = parameters.userData {
            // EC2 limits user data to 16 KB before encoding.
            guard userData.count <= 16_384 else {
                throw EC2Error.invalidRequest(reason: "user data is \(userData.count) bytes; EC2 allows 16384")
            }
            form.add("UserData", userData.base64EncodedString())
        }
        if !parameters.tags.isEmpty {
            form.add("TagSpecification.1.ResourceType", "instance")
            addTags(&form, prefix: "TagSpecification.1.Tag", parameters.tags)
        }
        if parameters.requireIMDSv2 {
            form.add("MetadataOptions.HttpTokens", "required")
            form.add("MetadataOptions.HttpEndpoint", "enabled")
            form.add("MetadataOptions.HttpPutResponseHopLimit", "1")
        }
        form.add("InstanceInitiatedShutdownBehavior", parameters.shutdownBehavior?.rawValue)
        form.add("ClientToken", parameters.clientToken)
        return form.request()
    }

    /// One page of `DescribeInstances`. `maxResults` (5...1000) cannot be combined with
    /// `instanceIds`; EC2 rejects that, so it is refused here with a clear message.
    public static func describeInstances(instanceIds: [String] = [], filters: [EC2Filter] = [], maxResults: Int? = nil,
                                         nextToken: String? = nil) throws -> AWSRequest {
        var form = QueryProtocolForm(action: "DescribeInstances", version: apiVersion)
        form.addList("InstanceId", instanceIds)
        for (index, filter) in filters.enumerated() {
            form.add("Filter.\(index + 1).Name", filter.name)
            form.addList("Filter.\(index + 1).Value", filter.values)
        }
        if let maxResults {
            guard instanceIds.isEmpty else {
                throw EC2Error.invalidRequest(reason: "maxResults cannot be combined with instance ids")
            }
            guard (5...1000).contains(maxResults) else {
                throw EC2Error.invalidRequest(reason: "maxResults must be 5...1000, got \(maxResults)")
            }
            form.add("MaxResults", String(maxResults))
        }
        form.add("NextToken", nextToken)
        return form.request()
    }

    public static func terminateInstances(_ instanceIds: [String]) throws -> AWSRequest {
        guard !instanceIds.isEmpty else { throw EC2Error.invalidRequest(reason: "no instance ids to terminate") }
        var form = QueryProtocolForm(action: "TerminateInstances", version: apiVersion)
        form.addList("InstanceId", instanceIds)
        return form.request()
    }

    public static func createTags(resourceIds: [String], tags: [String: String]) throws -> AWSRequest {
        guard !resourceIds.isEmpty, !tags.isEmpty else {
            throw EC2Error.invalidRequest(reason: "CreateTags needs at least one resource id and one tag")
        }
        var form = QueryProtocolForm(action: "CreateTags", version: apiVersion)
        form.addList("ResourceId", resourceIds)
        addTags(&form, prefix: "Tag", tags)
        return form.request()
    }

    /// `prefix.N.Key` / `prefix.N.Value`, sorted by key so a request is reproducible.
    static func addTags(_ form: inout QueryProtocolForm, prefix: String, _ tags: [String: String]) {
        for (index, tag) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
            form.add("\(prefix).\(index + 1).Key", tag.key)
            form.add("\(prefix).\(index + 1).Value", tag.value)
        }
    }
}
