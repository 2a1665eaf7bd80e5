/// Fills in the settings at the top of scripts/ami/user-data.sh (`BUNDLE_URL`, `BUNDLE_SHA256`,
/// `TIER`, `START_NOW`): their defaults become the given values, the rest is unchanged.
public enum UserDataTemplate {
    /// Characters that would end or expand a `"${NAME:-default}"` default in bash. Presigned URLs
    /// never contain them (they are percent-encoded), so a value with one is refused, not escaped.
    static let unsafe: Set<Character> = ["}", "$", "`", "\"", "\\", "\n"]

    /// - Parameter startNow: false for an image build (the unit is enabled, not started).
    public static func render(_ template: String, url: String, sha256: String, tier: String,
                              startNow: Bool = true) throws -> String {
        let values = ["BUNDLE_URL": url, "BUNDLE_SHA256": sha256, "TIER": tier, "START_NOW": startNow ? "yes" : "no"]
        for (name, value) in values where value.contains(where: unsafe.contains) {
            throw ProvisioningError.invalidSetting(keyPath: name, reason: "'\(value)' holds a character bash would interpret")
        }
        var filled: Set<String> = []
        let lines = template.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            for (name, value) in values where line.hasPrefix("\(name)=\"${\(name):-") {
                filled.insert(name)
                return "\(name)=\"${\(name):-\(value)}\""
            }
            return String(line)
        }
        guard filled.count == values.count else {
            throw ProvisioningError.unexpected("user-data.sh has no line for \(Set(values.keys).subtracting(filled).sorted())")
        }
        return lines.joined(separator: "\n")
    }
}
