import Foundation

/// Stopping and starting instances: a stopped instance keeps its volume (the booted OS, the
/// loaded model files) and is billed only for that volume, so starting it again is faster and
/// cheaper than a fresh launch.
extension EC2RequestBuilder {
    public static func stopInstances(_ instanceIds: [String]) throws -> AWSRequest {
        try powerRequest("StopInstances", instanceIds)
    }

    public static func startInstances(_ instanceIds: [String]) throws -> AWSRequest {
        try powerRequest("StartInstances", instanceIds)
    }

    private static func powerRequest(_ action: String, _ instanceIds: [String]) throws -> AWSRequest {
        guard !instanceIds.isEmpty else { throw EC2Error.invalidRequest(reason: "\(action) needs at least one instance id") }
        var form = QueryProtocolForm(action: action, version: apiVersion)
        form.addList("InstanceId", instanceIds)
        return form.request()
    }
}

extension EC2ResponseParser {
    /// The state changes of a `StopInstances` response.
    public static func stopInstances(_ body: Data) throws -> [EC2InstanceStateChange] {
        try stateChanges(body, operation: "StopInstances")
    }

    /// The state changes of a `StartInstances` response.
    public static func startInstances(_ body: Data) throws -> [EC2InstanceStateChange] {
        try stateChanges(body, operation: "StartInstances")
    }
}

extension EC2Client {
    /// Stops the instances (EBS-backed ones keep their volume); returns each one's state change.
    @discardableResult
    public func stopInstances(_ instanceIds: [String]) async throws -> [EC2InstanceStateChange] {
        try EC2ResponseParser.stopInstances(try await perform(try EC2RequestBuilder.stopInstances(instanceIds)))
    }

    /// Starts stopped instances; returns each one's state change (usually to `pending`).
    @discardableResult
    public func startInstances(_ instanceIds: [String]) async throws -> [EC2InstanceStateChange] {
        try EC2ResponseParser.startInstances(try await perform(try EC2RequestBuilder.startInstances(instanceIds)))
    }
}
