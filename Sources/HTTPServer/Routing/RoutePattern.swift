/// A path pattern: literal segments, `:name` parameters (one segment each) and an optional final
/// `*` matching the rest. `/api/jobs/:id` matches `/api/jobs/42` with `id = "42"`.
///
/// Matching is on percent-decoded segments, so a parameter never contains `/`: an encoded slash
/// (`%2F`) inside a segment makes the path not match rather than change its shape.
public struct RoutePattern: Sendable, Hashable, CustomStringConvertible {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
        case rest
    }

    let segments: [Segment]
    public let description: String

    public init(_ pattern: String) {
        description = pattern
        segments = pattern.split(separator: "/").enumerated().map { index, part in
            if part == "*" { return .rest }
            if part.hasPrefix(":") { return .parameter(String(part.dropFirst())) }
            return .literal(String(part))
        }
    }

    /// The parameters when `path` (percent-encoded, without query) matches; nil otherwise.
    public func match(_ path: some StringProtocol) -> [String: String]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var parameters: [String: String] = [:]
        var index = 0
        for segment in segments {
            switch segment {
            case .rest:
                parameters["*"] = parts[min(index, parts.count)...].joined(separator: "/")
                return parameters
            case let .literal(literal):
                guard index < parts.count, RoutePattern.decode(parts[index]) == literal else { return nil }
            case let .parameter(name):
                guard index < parts.count, let value = RoutePattern.decode(parts[index]), !value.contains("/"),
                      !value.contains("\0") else { return nil }
                parameters[name] = value
            }
            index += 1
        }
        return index == parts.count ? parameters : nil
    }

    private static func decode(_ segment: some StringProtocol) -> String? {
        guard let bytes = PercentEncoding.decode(segment) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
