import Foundation

/// Credentials from a profile of the shared credentials file (INI: `[name]` sections with
/// aws_access_key_id, aws_secret_access_key, aws_session_token).
///
/// File: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials. Profile: AWS_PROFILE (or the
/// older AWS_DEFAULT_PROFILE), else "default".
public struct SharedCredentialsFileProvider: AWSCredentialsProvider {
    public let file: URL
    public let profile: String
    /// Whether the profile was chosen explicitly (then a missing profile is an error, not a miss).
    public let profileIsExplicit: Bool

    public init(file: URL? = nil, profile: String? = nil, environment: [String: String]) {
        if let file {
            self.file = file
        } else if let path = environment["AWS_SHARED_CREDENTIALS_FILE"], !path.isEmpty {
            self.file = URL(fileURLWithPath: Self.expandingTilde(path, environment: environment))
        } else {
            self.file = URL(fileURLWithPath: Self.expandingTilde("~/.aws/credentials", environment: environment))
        }
        let chosen = profile ?? environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["AWS_DEFAULT_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        self.profile = chosen ?? "default"
        profileIsExplicit = chosen != nil
    }

    static func expandingTilde(_ path: String, environment: [String: String]) -> String {
        guard path.hasPrefix("~/") else { return path }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + path.dropFirst()
    }

    /// nil when the file does not exist, or when the default profile is simply absent.
    public func resolve() throws -> AWSCredentials? {
        guard FileManager.default.fileExists(atPath: file.path) else {
            if profileIsExplicit, profile != "default" {
                throw AWSCredentialsError("profile '\(profile)' was requested but \(file.path) does not exist")
            }
            return nil
        }
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw AWSCredentialsError("cannot read \(file.path): \(error.localizedDescription)")
        }
        let profiles = Self.parse(text)
        guard let values = profiles[profile] else {
            if profileIsExplicit {
                let known = profiles.keys.sorted().joined(separator: ", ")
                throw AWSCredentialsError("profile '\(profile)' not found in \(file.path) (profiles: \(known.isEmpty ? "none" : known))")
            }
            return nil
        }
        let accessKey = values["aws_access_key_id"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = values["aws_secret_access_key"].flatMap { $0.isEmpty ? nil : $0 }
        guard let accessKey, let secret else {
            let missing = accessKey == nil ? "aws_access_key_id" : "aws_secret_access_key"
            throw AWSCredentialsError("profile '\(profile)' in \(file.path) has no \(missing)")
        }
        let token = values["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(accessKeyID: accessKey, secretAccessKey: secret, sessionToken: token)
    }

    public func credentials() async throws -> AWSCredentials {
        guard let credentials = try resolve() else {
            throw AWSCredentialsError("no profile '\(profile)' in \(file.path)")
        }
        return credentials
    }

    /// INI sections to key/value maps. Keys are lower-cased; `[profile name]` (config-file
    /// style) is accepted as `name`; lines starting with # or ; are comments; later duplicates win.
    public static func parse(_ text: String) -> [String: [String: String]] {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                var name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if name.hasPrefix("profile ") { name = String(name.dropFirst(8)).trimmingCharacters(in: .whitespaces) }
                current = name
                profiles[name, default: [:]] = profiles[name] ?? [:]
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            profiles[current]?[key] = value
        }
        return profiles
    }
}
