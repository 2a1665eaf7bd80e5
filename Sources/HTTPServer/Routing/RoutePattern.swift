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
    ///
    /// Works on the path's UTF-8 bytes: a literal segment without escapes is compared in place,
    /// so a route that does not match, the common case in a list of routes, costs no allocation.
    public func match(_ path: some StringProtocol) -> [String: String]? {
        // A native string's bytes are contiguous: matching over a buffer pointer avoids the
        // string views' index checks on every byte.
        if let matched = path.utf8.withContiguousStorageIfAvailable({ match(bytes: $0) }) { return matched }
        return match(bytes: path.utf8)
    }

    private func match(bytes: some Collection<UInt8>) -> [String: String]? {
        var segments = PathSegments(bytes)
        var parameters: [String: String] = [:]
        for segment in self.segments {
            switch segment {
            case .rest:
                var rest: [String] = []
                while let part = segments.next() { rest.append(String(decoding: part, as: UTF8.self)) }
                parameters["*"] = rest.joined(separator: "/")
                return parameters
            case let .literal(literal):
                guard let part = segments.next(), RoutePattern.segment(part, equals: literal) else { return nil }
            case let .parameter(name):
                guard let part = segments.next(), let value = RoutePattern.decode(part), !value.contains("/"),
                      !value.contains("\0") else { return nil }
                parameters[name] = value
            }
        }
        return segments.next() == nil ? parameters : nil
    }

    /// Whether a raw segment, once percent-decoded, is `literal`.
    private static func segment(_ part: some Collection<UInt8>, equals literal: String) -> Bool {
        if !part.contains(UInt8(ascii: "%")) {
            // Against the literal's contiguous bytes: its UTF-8 view costs a form check per byte.
            return literal.utf8.withContiguousStorageIfAvailable { part.elementsEqual($0) }
                ?? part.elementsEqual(literal.utf8)
        }
        return decode(part) == literal
    }

    private static func decode(_ segment: some Collection<UInt8>) -> String? {
        guard let bytes = PercentEncoding.decode(bytes: segment) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// The non-empty `/`-separated segments of a path's bytes, in order, without copying them.
struct PathSegments<Bytes: Collection<UInt8>>: IteratorProtocol {
    private let bytes: Bytes
    private var index: Bytes.Index

    init(_ bytes: Bytes) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    mutating func next() -> Bytes.SubSequence? {
        let slash = UInt8(ascii: "/")
        while index < bytes.endIndex && bytes[index] == slash { bytes.formIndex(after: &index) }
        guard index < bytes.endIndex else { return nil }
        let start = index
        while index < bytes.endIndex && bytes[index] != slash { bytes.formIndex(after: &index) }
        return bytes[start..<index]
    }
}
