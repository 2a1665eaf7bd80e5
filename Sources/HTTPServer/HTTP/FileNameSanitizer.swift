/// Makes a client-supplied file name safe to use in storage keys and paths.
///
/// Keeps only the last path component (both `/` and `\` separate, since browsers on Windows send
/// full paths), drops control and reserved characters, removes leading dots (no hidden files,
/// no `..`), collapses whitespace, caps the length in UTF-8 bytes while keeping the extension,
/// and falls back to `fallback` when nothing usable is left.
public struct FileNameSanitizer: Sendable {
    public var maxBytes: Int
    public var fallback: String

    public init(maxBytes: Int = 128, fallback: String = "file") {
        self.maxBytes = maxBytes
        self.fallback = fallback
    }

    private static let reserved: Set<Character> = ["/", "\\", ":", "*", "?", "\"", "<", ">", "|", "%"]

    public func sanitize(_ raw: String) -> String {
        let lastComponent = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = ""
        var lastWasSpace = false
        for scalar in lastComponent.unicodeScalars {
            let isControl = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                || scalar.properties.generalCategory == .format // bidi overrides, zero-width joiners
            if isControl || FileNameSanitizer.reserved.contains(Character(scalar)) { continue }
            let isSpace = scalar.properties.isWhitespace
            if isSpace {
                if !lastWasSpace && !cleaned.isEmpty { cleaned.append(" ") }
                lastWasSpace = true
            } else {
                cleaned.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
        }
        while cleaned.hasPrefix(".") || cleaned.hasPrefix(" ") { cleaned.removeFirst() }
        while cleaned.hasSuffix(".") || cleaned.hasSuffix(" ") { cleaned.removeLast() }
        if cleaned.isEmpty { return fallback }
        return capped(cleaned)
    }

    /// Truncates the stem so the whole name fits `maxBytes`, keeping a short extension.
    private func capped(_ name: String) -> String {
        guard name.utf8.count > maxBytes else { return name }
        var stem = Substring(name)
        var ext = Substring("")
        if let dot = name.lastIndex(of: "."), name.distance(from: dot, to: name.endIndex) <= 16 {
            stem = name[..<dot]
            ext = name[dot...]
        }
        let budget = maxBytes - ext.utf8.count
        var kept = ""
        for character in stem {
            if kept.utf8.count + character.utf8.count > budget { break }
            kept.append(character)
        }
        while kept.hasSuffix(" ") || kept.hasSuffix(".") { kept.removeLast() }
        return kept.isEmpty ? fallback + ext : kept + ext
    }
}
