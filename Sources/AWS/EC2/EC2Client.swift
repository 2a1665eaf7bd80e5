import Foundation

/// An EC2 client for what the fleet needs: launch, find by tag/state, tag and terminate.
public struct EC2Client: Sendable {
    public let core: AWSServiceClient

    public init(configuration: AWSClientConfiguration, transport: CurlTransport? = nil) {
        core = AWSServiceClient(service: .ec2, configuration: configuration, errorDecoder: XMLErrorDecoder(),
                                transport: transport)
    }

    /// Launches instances and returns them as launched (usually `pending`).
    public func runInstances(_ parameters: EC2RunInstancesRequest) async throws -> [EC2Instance] {
        try EC2ResponseParser.runInstances(try await perform(try EC2RequestBuilder.runInstances(parameters)))
    }

    /// One page of matching instances; pass `nextToken` from the previous page.
    public func describeInstances(instanceIds: [String] = [], filters: [EC2Filter] = [], maxResults: Int? = nil,
                                  nextToken: String? = nil) async throws -> EC2InstancesPage {
        let request = try EC2RequestBuilder.describeInstances(instanceIds: instanceIds, filters: filters,
                                                              maxResults: maxResults, nextToken: nextToken)
        return try EC2ResponseParser.describeInstances(try await perform(request))
    }

    /// Every matching instance, following `nextToken` through all pages.
    public func describeAllInstances(filters: [EC2Filter] = [], pageSize: Int? = nil) async throws -> [EC2Instance] {
        var instances: [EC2Instance] = []
        var token: String?
        repeat {
            let page = try await describeInstances(filters: filters, maxResults: pageSize, nextToken: token)
            instances += page.instances
            token = page.nextToken
        } while token != nil
        return instances
    }

    /// Terminates the instances; returns each one's state change.
    @discardableResult
    public func terminateInstances(_ instanceIds: [String]) async throws -> [EC2InstanceStateChange] {
        try EC2ResponseParser.terminateInstances(try await perform(try EC2RequestBuilder.terminateInstances(instanceIds)))
    }

    /// Adds or overwrites tags on instances (or any EC2 resource).
    public func createTags(resourceIds: [String], tags: [String: String]) async throws {
        try EC2ResponseParser.createTags(try await perform(try EC2RequestBuilder.createTags(resourceIds: resourceIds, tags: tags)))
    }

    /// Sends through the core; service errors become `EC2Error`s.
    func perform(_ request: AWSRequest) async throws -> Data {
        do {
            return try await core.send(request).body
        } catch let error as AWSServiceError {
            throw EC2Error.from(code: error.code, message: error.message.isEmpty ? nil : error.message,
                                status: error.statusCode, requestID: error.requestID)
        }
    }
}
