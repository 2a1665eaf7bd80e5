import AWS
import Foundation

/// Local mode: the system runs against a local AWS (moto) on this machine. It is decided from the
/// configuration alone, and it decides how credentials are found: a local process never asks the
/// instance-metadata address (nothing on a laptop answers there, and it is not loopback), and a
/// loopback endpoint with no credentials configured gets the test keys moto accepts.
extension Configuration {
    /// The AWS endpoint is loopback, or the fleet is local worker processes (a worker on EC2,
    /// `worker.mode` ec2, is never local: it needs its instance's metadata).
    public var isLocalMode: Bool {
        aws.endpointIsLoopback || (fleet.kind == .local && worker.mode == .local)
    }

    /// How the credentials chain ends in this configuration's mode.
    public var credentialsPolicy: CredentialsChainPolicy { aws.credentialsPolicy(localMode: isLocalMode) }
}

extension AWSSettings {
    /// Whether `endpointURL` names a loopback host (127.0.0.0/8, ::1, localhost).
    public var endpointIsLoopback: Bool {
        guard let text = endpointURL, let host = URL(string: text)?.host else { return false }
        return Self.isLoopback(host: host)
    }

    public static func isLoopback(host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

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
