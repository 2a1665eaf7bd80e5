import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Why an XML document could not be read.
public enum XMLReadError: Error, Equatable, CustomStringConvertible {
    /// The parser reported an error at this position.
    case malformed(line: Int, column: Int, reason: String)
    /// The document ended before its root element was closed, or had no root at all: the parser
    /// does not always report this itself (it returns success for some truncated documents).
    case incomplete
    /// The body was empty.
    case empty

    public var description: String {
        switch self {
        case let .malformed(line, column, reason): return "malformed XML at \(line):\(column): \(reason)"
        case .incomplete: return "truncated XML: the root element was never closed"
        case .empty: return "empty body where an XML document was expected"
        }
    }
}

/// Reads a whole XML document into an `XMLNode` tree. AWS responses are small, so a tree is
/// simpler to query than streaming callbacks and costs little.
public enum XMLTreeReader {
    /// Parses `data`; throws `XMLReadError` for empty, malformed or truncated documents.
    public static func parse(_ data: Data) throws -> XMLNode {
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw XMLReadError.empty
        }
        let parser = XMLParser(data: data)
        // External entities are never wanted in a service response (XXE).
        parser.shouldResolveExternalEntities = false
        let builder = TreeBuilder()
        parser.delegate = builder
        let succeeded = parser.parse()
        if let error = builder.failure ?? parser.parserError {
            if let failure = error as? XMLReadError { throw failure }
            throw XMLReadError.malformed(line: parser.lineNumber, column: parser.columnNumber,
                                         reason: String(describing: error))
        }
        guard succeeded else {
            throw XMLReadError.malformed(line: parser.lineNumber, column: parser.columnNumber, reason: "parser failed")
        }
        guard let root = builder.root, builder.stack.isEmpty else { throw XMLReadError.incomplete }
        return root
    }

    /// Parses a UTF-8 string (convenience for tests and literals).
    public static func parse(_ text: String) throws -> XMLNode {
        try parse(Data(text.utf8))
    }
}

/// XMLParser's delegate: a stack of open elements. Lives only for one `parse` call.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLNode] = []
    var root: XMLNode?
    var failure: Error?

    private static func localName(_ qualified: String) -> String {
        guard let colon = qualified.lastIndex(of: ":") else { return qualified }
        return String(qualified[qualified.index(after: colon)...])
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if root != nil {
            // A second root element: not a well-formed document.
            failure = XMLReadError.malformed(line: parser.lineNumber, column: parser.columnNumber,
                                             reason: "content after the root element")
            parser.abortParsing()
            return
        }
        stack.append(XMLNode(name: Self.localName(elementName), attributes: attributeDict))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        guard let finished = stack.popLast() else { return }
        if stack.isEmpty {
            root = finished
        } else {
            stack[stack.count - 1].children.append(finished)
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if failure == nil { failure = parseError }
    }
}
