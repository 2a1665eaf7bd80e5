/// Percent-decoding (RFC 3986 §2.1) for paths and form components.
public enum PercentEncoding {
    /// Decodes `%XX` escapes into bytes; nil when an escape is malformed.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(bytes: text.utf8)
    }

    /// Decodes `%XX` escapes in UTF-8 bytes; nil when an escape is malformed.
    public static func decode(bytes text: some Collection<UInt8>) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var iterator = text.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(HTTPGrammar.hexValue),
                      let low = iterator.next().flatMap(HTTPGrammar.hexValue) else { return nil }
                bytes.append(UInt8(high << 4 | low))
            } else {
                bytes.append(byte)
            }
        }
        return bytes
    }

    /// Decodes an `application/x-www-form-urlencoded` component (`+` is a space); malformed
    /// escapes are kept literally.
    public static func decodeFormComponent(_ text: some StringProtocol) -> String {
        let spaced = String(text).replacingOccurrences(of: "+", with: " ")
        guard let bytes = decode(spaced) else { return spaced }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
