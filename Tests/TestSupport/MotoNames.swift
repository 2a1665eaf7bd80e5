import Foundation

/// Unique resource names: tests run in parallel against one moto, so every bucket, queue and
/// tag value carries a random part.
public enum MotoNames {
    /// A lower-case name valid as an S3 bucket or SQS queue name: `prefix-xxxxxxxxxxxx`.
    public static func unique(_ prefix: String) -> String {
        let random = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        return "\(prefix.lowercased())-\(random)"
    }
}
