import AWS
import Foundation
import Pipeline

/// Local mode (`Configuration.isLocalMode`) decides how credentials are found: a local process
/// never asks the instance-metadata address (nothing on a laptop answers there, and it is not
/// loopback), and a loopback endpoint with no credentials configured gets the test keys moto
/// accepts.
extension Configuration {
    /// How the credentials chain ends in this configuration's mode.
    public var credentialsPolicy: CredentialsChainPolicy { aws.credentialsPolicy(localMode: isLocalMode) }
}

extension AWSSettings {
    /// Local mode skips the instance role unless `metadataEndpoint` is configured explicitly (a
    /// test's loopback metadata server); a loopback endpoint also gets moto's test keys as the
    /// last resort.
    public func credentialsPolicy(localMode: Bool) -> CredentialsChainPolicy {
        guard localMode else { return .aws }
        let hasMetadataEndpoint = !(metadataEndpoint ?? "").isEmpty
        let instanceRole: CredentialsChainPolicy.InstanceRole = hasMetadataEndpoint ? .ask : .skip(
            reason: "instance-role credentials are not asked in local mode (set aws.metadataEndpoint to use them)")
        return CredentialsChainPolicy(instanceRole: instanceRole,
                                      localTestCredentials: endpointIsLoopback ? CredentialsChainPolicy.motoTestCredentials : nil)
    }
}
