/// One element of a parsed XML document: a local name, attributes, child elements and the
/// concatenated character data directly inside it.
///
/// Names are local names (the namespace prefix stripped) and lookups match local names only:
/// AWS services disagree on namespaces (moto's EC2 namespace lacks the trailing `/` that real
/// EC2 sends), and nothing we read depends on them.
public struct XMLNode: Sendable, Equatable {
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLNode]
    /// Character data directly inside this element (not its descendants), untrimmed.
    public var text: String

    public init(name: String, attributes: [String: String] = [:], children: [XMLNode] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child with this local name.
    public func child(_ name: String) -> XMLNode? {
        children.first { $0.name == name }
    }

    /// Every child with this local name, in document order.
    public func children(named name: String) -> [XMLNode] {
        children.filter { $0.name == name }
    }

    /// The descendant reached by following local names, e.g. `node.path("reservationSet", "item")`.
    public func path(_ names: String...) -> XMLNode? {
        var node: XMLNode? = self
        for name in names { node = node?.child(name) }
        return node
    }

    /// The text of the first child with this local name, or nil when there is no such child.
    public func text(of name: String) -> String? {
        child(name)?.text
    }

    /// The children of the wrapper child `set` named `item`: the Query protocol's list encoding
    /// (`<instancesSet><item>…</item></instancesSet>`). Empty when the wrapper is absent.
    public func items(in set: String, named item: String = "item") -> [XMLNode] {
        child(set)?.children(named: item) ?? []
    }
}
