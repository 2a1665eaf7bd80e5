import Foundation

/// Local mode: the system runs against a local AWS (moto) on this machine. It is decided from the
/// configuration alone; how it decides the credentials chain is `AWSBackends`' concern
/// (`Configuration.credentialsPolicy`), so that this module stays free of AWS code.
extension Configuration {
    /// The AWS endpoint is loopback, or the fleet is local worker processes (a worker on EC2,
    /// `worker.mode` ec2, is never local: it needs its instance's metadata).
    public var isLocalMode: Bool {
        aws.endpointIsLoopback || (fleet.kind == .local && worker.mode == .local)
    }
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
}
