/// A tiny XML writer for request bodies (S3's CreateBucketConfiguration and the like): elements
/// with escaped text, nothing more. Produces compact UTF-8 without insignificant whitespace.
public struct XMLWriter: Sendable {
    public private(set) var output: String

    /// Starts a document with the XML declaration.
    public init() {
        output = #"<?xml version="1.0" encoding="UTF-8"?>"#
    }

    /// Writes `<name xmlns="…">`, the children written by `body`, then `</name>`.
    public mutating func element(_ name: String, namespace: String? = nil, _ body: (inout XMLWriter) -> Void) {
        output += "<\(name)"
        if let namespace { output += " xmlns=\"\(Self.escape(namespace))\"" }
        output += ">"
        body(&self)
        output += "</\(name)>"
    }

    /// Writes `<name>text</name>` with `text` escaped.
    public mutating func element(_ name: String, text: String) {
        output += "<\(name)>\(Self.escape(text))</\(name)>"
    }

    /// Escapes the five XML special characters; safe in text and in double-quoted attributes.
    /// CR is written as `&#13;` because a reader turns a literal CR into LF (XML 1.0 §2.11).
    /// Other control characters have no XML 1.0 representation at all; they are written as
    /// numeric references so nothing is dropped silently, and a strict reader will refuse them.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\r": escaped += "&#13;"
            case "\t", "\n": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 {
                    escaped += "&#\(scalar.value);"
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }
}
