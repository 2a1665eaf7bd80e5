/// Byte-level questions about the ASCII text of HTTP (names, tokens, targets).
///
/// Each works on the string's contiguous UTF-8 when it has one (native strings, small or not,
/// and their substrings): stepping through a string's UTF-8 view instead checks the string's
/// form on every byte, and cost about 100 instructions a byte under callgrind, on names and
/// paths the server compares on every request.
extension StringProtocol {
    /// ASCII case-insensitive equality, as header names and tokens compare (RFC 9110 §5.1).
    func caseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
        let contiguous = utf8.withContiguousStorageIfAvailable { lhs in
            other.utf8.withContiguousStorageIfAvailable { rhs in asciiCaseInsensitiveEquals(lhs, rhs) }
        }
        if case let .some(.some(equal)) = contiguous { return equal }
        return asciiCaseInsensitiveEquals(utf8, other.utf8)
    }

    /// The index of the first `byte` in the UTF-8. An ASCII byte never occurs inside a
    /// multi-byte sequence, so the index is a valid character boundary too.
    func firstIndex(ofASCII byte: UInt8) -> String.Index? {
        let offset = utf8.withContiguousStorageIfAvailable { $0.firstIndex(of: byte) }
        switch offset {
        case let .some(found): return found.map { utf8.index(utf8.startIndex, offsetBy: $0) }
        case .none: return utf8.firstIndex(of: byte)
        }
    }

    /// Strips optional whitespace (SP / HTAB) from both ends.
    func trimmingOWS() -> Substring {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}

private func asciiCaseInsensitiveEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
    guard lhs.count == rhs.count else { return false }
    return zip(lhs, rhs).allSatisfy { a, b in
        a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)
    }
}
