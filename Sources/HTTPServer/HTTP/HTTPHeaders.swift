/// Header fields in arrival order; names compare case-insensitively (RFC 9110 §5.1).
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { append(name, value) }
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public mutating func append(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// Replaces every field called `name` with one field (or removes them when `value` is nil).
    public mutating func set(_ name: String, _ value: String?) {
        // Most sets add a new name: then nothing to remove, and no pass that rebuilds the array.
        if fields.contains(where: { $0.name.caseInsensitiveEquals(name) }) {
            fields.removeAll { $0.name.caseInsensitiveEquals(name) }
        }
        if let value { fields.append((name, value)) }
    }

    public mutating func remove(_ name: String) { set(name, nil) }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        for field in fields where field.name.caseInsensitiveEquals(name) { return field.value }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(of name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// True when a comma-separated field (e.g. `Connection`) lists `token`, case-insensitively.
    public func hasToken(_ token: String, in name: String) -> Bool {
        // Asked of every request (Connection, Expect): walks the fields without building arrays.
        for field in fields where field.name.caseInsensitiveEquals(name) {
            let value = field.value
            var start = value.utf8.startIndex
            while true {
                // Commas are ASCII, so these byte indices are valid string indices too.
                let end = value.utf8[start...].firstIndex(of: UInt8(ascii: ",")) ?? value.utf8.endIndex
                if value[start..<end].trimmingOWS().caseInsensitiveEquals(token) { return true }
                guard end < value.utf8.endIndex else { break }
                start = value.utf8.index(after: end)
            }
        }
        return false
    }
}
