import Testing
@testable import HTTPServer

@Suite struct StringASCIITests {
    @Test("case-insensitive equality is ASCII-only and length-exact", arguments: [
        ("Content-Length", "content-length", true),
        ("HOST", "host", true),
        ("Host", "Hosts", false),
        ("", "", true),
        // Only letters fold: '@' (0x40) and '`' (0x60) differ by the case bit but are not letters.
        ("a@", "a`", false),
        ("[", "{", false),
        // Non-ASCII never folds, even when the bytes differ only in bit 5.
        ("\u{c9}", "\u{e9}", false),
        ("caf\u{e9}", "caf\u{e9}", true),
        // A long (heap-stored) string against a small one of the same text.
        (String(repeating: "Ab", count: 40), String(repeating: "aB", count: 40), true),
    ])
    func caseInsensitiveEquals(_ lhs: String, _ rhs: String, _ equal: Bool) {
        #expect(lhs.caseInsensitiveEquals(rhs) == equal)
        #expect(rhs.caseInsensitiveEquals(lhs) == equal)
        // Substrings (contiguous) and a lazily-bridged-free slice in the middle of a larger string.
        let padded = "  \(lhs)  "
        let inner = padded.dropFirst(2).dropLast(2)
        #expect(inner.caseInsensitiveEquals(rhs) == equal)
        #expect(rhs.caseInsensitiveEquals(inner) == equal)
    }

    @Test func firstASCIIIndexIsACharacterBoundary() {
        let target = "/caf\u{e9}/\u{1F431}?q=\u{e9}?x"
        let mark = try! #require(target.firstIndex(ofASCII: UInt8(ascii: "?")))
        #expect(target[..<mark] == "/caf\u{e9}/\u{1F431}")
        #expect(target[mark...] == "?q=\u{e9}?x")
        #expect("/plain".firstIndex(ofASCII: UInt8(ascii: "?")) == nil)
        let slice = target.dropFirst(3)
        #expect(slice.firstIndex(ofASCII: UInt8(ascii: "?")) == mark)
    }

    @Test func trimmingOWS() {
        #expect(" \t a b \t ".trimmingOWS() == "a b")
        #expect("\t\t".trimmingOWS() == "")
    }
}
