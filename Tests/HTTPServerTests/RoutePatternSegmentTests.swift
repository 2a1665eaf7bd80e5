import Testing
@testable import HTTPServer

/// Matching on the path's bytes must agree with matching on decoded segments.
@Suite struct RoutePatternSegmentTests {
    @Test("segments skip empty ones and keep their raw bytes")
    func segments() {
        var iterator = PathSegments("//a/%62c///d/".utf8)
        var parts: [String] = []
        while let part = iterator.next() { parts.append(String(decoding: part, as: UTF8.self)) }
        #expect(parts == ["a", "%62c", "d"])
    }

    @Test("literals match escaped and unescaped spellings; malformed escapes and extra segments do not")
    func literals() {
        let pattern = RoutePattern("/static/files")
        #expect(pattern.match("/static/files") == [:])
        #expect(pattern.match("//static//files/") == [:])
        #expect(pattern.match("/st%61tic/files") == [:])
        #expect(pattern.match("/static/file") == nil)
        #expect(pattern.match("/static/filesx") == nil)
        #expect(pattern.match("/static/files/x") == nil)
        #expect(pattern.match("/static/%zzfiles") == nil)
        #expect(pattern.match("/static") == nil)
    }

    @Test("parameters are decoded; the rest keeps raw segments")
    func parametersAndRest() {
        #expect(RoutePattern("/jobs/:id").match("/jobs/a%20b") == ["id": "a b"])
        #expect(RoutePattern("/jobs/:id").match("/jobs/a%2Fb") == nil)
        #expect(RoutePattern("/static/*").match("/static/css//site%20x.css") == ["*": "css/site%20x.css"])
        #expect(RoutePattern("/static/*").match("/static") == ["*": ""])
    }
}
