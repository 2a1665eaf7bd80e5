import Foundation

/// An IAM policy document (version 2012-10-17): what we attach to each tier's role and what the
/// trust policy of a role says. Encoded with sorted keys so that the same policy is the same text.
public struct PolicyDocument: Codable, Sendable, Equatable {
    public var version = "2012-10-17"
    public var statements: [PolicyStatement]

    public init(statements: [PolicyStatement]) {
        self.statements = statements
    }

    enum CodingKeys: String, CodingKey {
        case version = "Version"
        case statements = "Statement"
    }

    /// Compact JSON with sorted keys and unescaped slashes (IAM's size limit counts characters).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and arrays cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Parses a document as IAM returns it; nil when it is not one.
    public static func parse(_ text: String) -> PolicyDocument? {
        try? JSONDecoder().decode(PolicyDocument.self, from: Data(text.utf8))
    }

    /// Every action any statement allows.
    public var allowedActions: Set<String> {
        Set(statements.filter { $0.effect == "Allow" }.flatMap(\.actions))
    }
}

/// One statement. Conditions are `operator → (key → values)`, e.g.
/// `StringEquals → ec2:ResourceTag/elastic-classifier:fleet → [tag]`.
public struct PolicyStatement: Codable, Sendable, Equatable {
    public var sid: String
    public var effect: String
    public var actions: [String]
    public var resources: [String]?
    public var principal: [String: String]?
    public var condition: [String: [String: [String]]]?

    public init(sid: String, effect: String = "Allow", actions: [String], resources: [String]? = nil,
                principal: [String: String]? = nil, condition: [String: [String: [String]]]? = nil) {
        self.sid = sid
        self.effect = effect
        self.actions = actions.sorted()
        self.resources = resources?.sorted()
        self.principal = principal
        self.condition = condition
    }

    enum CodingKeys: String, CodingKey {
        case sid = "Sid"
        case effect = "Effect"
        case actions = "Action"
        case resources = "Resource"
        case principal = "Principal"
        case condition = "Condition"
    }

    /// IAM may return a single action, resource or condition value as a string instead of a
    /// one-element array; both read the same here.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sid = try container.decodeIfPresent(String.self, forKey: .sid) ?? ""
        effect = try container.decode(String.self, forKey: .effect)
        // Sorted as `init` sorts them: order carries no meaning in IAM.
        actions = (try Self.strings(container, .actions) ?? []).sorted()
        resources = try Self.strings(container, .resources)?.sorted()
        principal = try container.decodeIfPresent([String: String].self, forKey: .principal)
        if let raw = try container.decodeIfPresent([String: [String: StringOrList]].self, forKey: .condition) {
            condition = raw.mapValues { $0.mapValues(\.values) }
        } else {
            condition = nil
        }
    }

    static func strings(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [String]? {
        try container.decodeIfPresent(StringOrList.self, forKey: key)?.values
    }

    struct StringOrList: Decodable {
        var values: [String]
        init(from decoder: Decoder) throws {
            let single = try decoder.singleValueContainer()
            if let one = try? single.decode(String.self) { values = [one] } else { values = try single.decode([String].self) }
        }
    }

    /// Whether this statement names `action` (IAM wildcards `*` and `?` allowed in the statement).
    public func names(action: String) -> Bool {
        actions.contains { PolicyPattern.matches($0, action) }
    }

    /// Whether this statement covers `resource` (with wildcards; no Resource element means any).
    public func covers(resource: String) -> Bool {
        guard let resources else { return true }
        return resources.contains { PolicyPattern.matches($0, resource) }
    }
}

/// IAM's glob: `*` any run of characters, `?` one; case-sensitive, like resource ARNs.
/// (Action names are case-insensitive in IAM; ours are written in their canonical case.)
enum PolicyPattern {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars), t = Array(text.unicodeScalars)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1; ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
