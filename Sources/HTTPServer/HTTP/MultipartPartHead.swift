/// The headers of one form-data part, with its field name and the client's file name.
public struct MultipartPartHead: Sendable, Equatable {
    public let headers: HTTPHeaders
    /// The form field name (`name=` in Content-Disposition).
    public let name: String
    /// The file name exactly as the client sent it (`filename*=UTF-8''…` decoded when present,
    /// else `filename=`). Untrusted: may contain `../`, slashes, control characters. Pass it
    /// through `FileNameSanitizer` before it touches storage.
    public let filename: String?
    /// The part's Content-Type; `text/plain` when absent (RFC 7578 §4.4).
    public let contentType: String

    init(headers: HTTPHeaders) throws(MultipartError) {
        guard let disposition = headers["Content-Disposition"] else { throw .malformed("part without Content-Disposition") }
        let parsed = ContentDisposition(disposition)
        guard parsed.type.caseInsensitiveEquals("form-data"), let name = parsed.parameters["name"] else {
            throw .malformed("Content-Disposition is not form-data with a name")
        }
        self.headers = headers
        self.name = name
        self.filename = parsed.extendedParameters["filename"] ?? parsed.parameters["filename"]
        self.contentType = headers["Content-Type"] ?? "text/plain"
    }
}

/// `Content-Disposition` split into its type and parameters (RFC 6266): quoted strings unescaped,
/// `name*=charset'lang'%xx` extended values percent-decoded (UTF-8 and ISO-8859-1).
struct ContentDisposition {
    var type = ""
    var parameters: [String: String] = [:]
    var extendedParameters: [String: String] = [:]

    init(_ text: String) {
        var scalars = Substring(text).unicodeScalars[...]
        type = String(String.UnicodeScalarView(scalars.prefix { $0 != ";" })).trimmingOWS().lowercased()
        scalars = scalars.drop { $0 != ";" }
        while !scalars.isEmpty {
            scalars = scalars.dropFirst() // ";"
            let nameScalars = scalars.prefix { $0 != "=" && $0 != ";" }
            scalars = scalars.dropFirst(nameScalars.count)
            let name = String(String.UnicodeScalarView(nameScalars)).trimmingOWS().lowercased()
            guard scalars.first == "=" else { continue }
            scalars = scalars.dropFirst()
            while scalars.first == " " || scalars.first == "\t" { scalars = scalars.dropFirst() }
            var value = ""
            if scalars.first == "\"" {
                scalars = scalars.dropFirst()
                while let scalar = scalars.first, scalar != "\"" {
                    scalars = scalars.dropFirst()
                    if scalar == "\\", let escaped = scalars.first {
                        // Browsers send `\` in Windows paths unescaped; keep it unless it escapes a quote or backslash.
                        if escaped == "\"" || escaped == "\\" {
                            value.unicodeScalars.append(escaped)
                            scalars = scalars.dropFirst()
                        } else {
                            value.unicodeScalars.append(scalar)
                        }
                    } else {
                        value.unicodeScalars.append(scalar)
                    }
                }
                scalars = scalars.dropFirst() // closing quote
                scalars = scalars.drop { $0 != ";" }
            } else {
                let raw = scalars.prefix { $0 != ";" }
                scalars = scalars.dropFirst(raw.count)
                value = String(String(String.UnicodeScalarView(raw)).trimmingOWS())
            }
            if name.hasSuffix("*") {
                if let decoded = ContentDisposition.decodeExtended(value) {
                    extendedParameters[String(name.dropLast())] = decoded
                }
            } else if parameters[name] == nil {
                parameters[name] = value
            }
        }
    }

    /// RFC 8187 ext-value: `charset'language'pct-encoded`.
    static func decodeExtended(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, let bytes = PercentEncoding.decode(pieces[2]) else { return nil }
        switch pieces[0].lowercased() {
        case "utf-8": return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1": return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default: return nil
        }
    }
}
