import Testing
@testable import HTTPServer

@Suite struct FileNameSanitizerTests {
    @Test("hostile and odd file names become safe names", arguments: [
        ("cat.jpg", "cat.jpg"),
        ("../../etc/passwd", "passwd"),
        ("..", "file"),
        ("...", "file"),
        ("/", "file"),
        ("", "file"),
        ("C:\\Users\\me\\Pictures\\dog.png", "dog.png"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        (".htaccess", "htaccess"),
        ("a\u{0}b.png", "ab.png"),
        ("new\nline.gif", "newline.gif"),
        ("tab\there.jpg", "tabhere.jpg"),
        ("evil\u{202E}gnp.exe", "evilgnp.exe"),
        ("multiple   spaces .jpg", "multiple spaces .jpg"),
        ("what?*<>|:\".jpg", "what.jpg"),
        ("100%.png", "100.png"),
        ("été ☃.png", "été ☃.png"),
        ("trailing dots...", "trailing dots"),
    ])
    func sanitize(_ raw: String, _ expected: String) {
        let safe = FileNameSanitizer().sanitize(raw)
        #expect(safe == expected)
        #expect(!safe.contains("/") && !safe.contains("\\") && safe != ".." && !safe.hasPrefix("."))
    }

    @Test func lengthIsCappedKeepingTheExtension() {
        let sanitizer = FileNameSanitizer(maxBytes: 32)
        let safe = sanitizer.sanitize(String(repeating: "x", count: 500) + ".jpeg")
        #expect(safe.utf8.count <= 32)
        #expect(safe.hasSuffix(".jpeg"))
        let multibyte = sanitizer.sanitize(String(repeating: "é", count: 100) + ".png")
        #expect(multibyte.utf8.count <= 32)
        #expect(multibyte.hasSuffix(".png"))
        #expect(String(validating: Array(multibyte.utf8), as: UTF8.self) != nil)
    }
}
