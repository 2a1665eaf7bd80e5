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
    /// Control characters other than tab, LF and CR cannot appear in XML 1.0 at all, so they are
    /// written as numeric references that a 1.1-tolerant reader (S3) accepts rather than dropped
    /// silently.
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
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
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
