/// An ordered list of HTTP header fields with case-insensitive lookup.
///
/// aws-svc: set request headers with `headers["Content-Type"] = "..."` (replaces any existing
/// field of that name) or `headers.add(name:value:)` (keeps repeats); read response headers with
/// `response.headers["x-amz-request-id"]` in any letter case. Order and repeats are kept because
/// SigV4 signs repeated fields as one comma-joined line.
public struct AWSHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init() { fields = [] }
    public init(_ pairs: [(String, String)]) { fields = pairs.map { Field(name: $0.0, value: $0.1) } }
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }
    public init(fields: [Field]) { self.fields = fields }

    /// The first value for `name` (case-insensitive); setting replaces every field of that name,
    /// setting nil removes them.
    public subscript(name: String) -> String? {
        get {
            for field in fields where Self.sameName(field.name, name) { return field.value }
            return nil
        }
        set {
            if let index = fields.firstIndex(where: { Self.sameName($0.name, name) }), let newValue {
                fields[index].value = newValue
                var next = index + 1
                while next < fields.count {
                    if Self.sameName(fields[next].name, name) { fields.remove(at: next) } else { next += 1 }
                }
            } else {
                fields.removeAll { Self.sameName($0.name, name) }
                if let newValue { fields.append(Field(name: name, value: newValue)) }
            }
        }
    }

    /// Every value of `name`, in order (case-insensitive).
    public func values(for name: String) -> [String] {
        fields.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// Appends a field, keeping any earlier field of the same name.
    public mutating func add(name: String, value: String) { fields.append(Field(name: name, value: value)) }

    public func contains(_ name: String) -> Bool { fields.contains { Self.sameName($0.name, name) } }

    public var count: Int { fields.count }
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// ASCII case-insensitive comparison: header names are tokens (RFC 9110 §5.1).
    static func sameName(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        for (c, d) in zip(x, y) where c != d {
            if (c | 0x20) != (d | 0x20) || !((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A) { return false }
        }
        return true
    }
}
