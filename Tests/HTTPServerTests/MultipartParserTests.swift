import Glibc
import Testing
@testable import HTTPServer

/// Builds a multipart/form-data body the way browsers do.
func multipartBody(boundary: String, parts: [(disposition: String, contentType: String?, content: [UInt8])]) -> [UInt8] {
    var body: [UInt8] = []
    for part in parts {
        body += Array("--\(boundary)\r\nContent-Disposition: \(part.disposition)\r\n".utf8)
        if let contentType = part.contentType { body += Array("Content-Type: \(contentType)\r\n".utf8) }
        body += Array("\r\n".utf8) + part.content + Array("\r\n".utf8)
    }
    return body + Array("--\(boundary)--\r\n".utf8)
}

/// Parses `body` fed in pieces of `pieceSize`; returns (head, content) per part.
func parseParts(_ body: [UInt8], boundary: String, pieceSize: Int) throws -> [(MultipartPartHead, [UInt8])] {
    var parser = try MultipartParser(boundary: boundary)
    var parts: [(MultipartPartHead, [UInt8])] = []
    var offset = 0
    while true {
        while let event = try parser.next() {
            switch event {
            case let .partBegin(head): parts.append((head, []))
            case let .partData(bytes): parts[parts.count - 1].1 += bytes
            case .partEnd, .end: break
            }
        }
        guard offset < body.count else { break }
        let end = min(body.count, offset + pieceSize)
        parser.append(body[offset..<end])
        offset = end
    }
    try parser.finish()
    return parts
}

@Suite struct MultipartParserTests {
    static let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    // Content that contains near-misses of the delimiter.
    static let tricky: [UInt8] = Array("line\r\n--not-the-boundary\r\n----WebKitFormBoundary7MA4YWxk\r\nend".utf8) + [0, 255, 13, 10]

    @Test("parts survive any split of the body", arguments: [1, 2, 5, 17, 64, 4096])
    func splitAnywhere(pieceSize: Int) throws {
        let body = multipartBody(boundary: Self.boundary, parts: [
            ("form-data; name=\"title\"", nil, Array("A title".utf8)),
            ("form-data; name=\"file\"; filename=\"cat.jpg\"", "image/jpeg", Self.tricky),
            ("form-data; name=\"empty\"; filename=\"\"", "application/octet-stream", []),
        ])
        let parts = try parseParts(body, boundary: Self.boundary, pieceSize: pieceSize)
        #expect(parts.count == 3)
        #expect(parts[0].0.name == "title")
        #expect(parts[0].0.filename == nil)
        #expect(parts[0].0.contentType == "text/plain")
        #expect(parts[0].1 == Array("A title".utf8))
        #expect(parts[1].0.filename == "cat.jpg")
        #expect(parts[1].0.contentType == "image/jpeg")
        #expect(parts[1].1 == Self.tricky)
        #expect(parts[2].0.filename == "")
        #expect(parts[2].1.isEmpty)
    }

    @Test func preambleAndEpilogueAreIgnored() throws {
        let body = Array("This is a preamble.\r\n".utf8)
            + multipartBody(boundary: "b", parts: [("form-data; name=\"x\"", nil, Array("1".utf8))])
            + Array("epilogue text".utf8)
        let parts = try parseParts(body, boundary: "b", pieceSize: 3)
        #expect(parts.map(\.1) == [Array("1".utf8)])
    }

    struct FileNameCase: Sendable, CustomTestStringConvertible {
        let disposition: String
        let expected: String?
        var testDescription: String { disposition }
    }

    @Test("Content-Disposition file names are exposed raw", arguments: [
        FileNameCase(disposition: "form-data; name=\"f\"; filename=\"a b.png\"", expected: "a b.png"),
        FileNameCase(disposition: "form-data; name=\"f\"; filename=\"../../etc/passwd\"", expected: "../../etc/passwd"),
        FileNameCase(disposition: "form-data; name=\"f\"; filename=\"C:\\Users\\me\\cat.jpg\"", expected: "C:\\Users\\me\\cat.jpg"),
        FileNameCase(disposition: "form-data; name=\"f\"; filename=\"quo\\\"te.txt\"", expected: "quo\"te.txt"),
        FileNameCase(disposition: "form-data; name=\"f\"; filename=\"a;b=c.txt\"", expected: "a;b=c.txt"),
        FileNameCase(disposition: "form-data; name=\"f\"; filename=plain.txt", expected: "plain.txt"),
        FileNameCase(disposition: "form-data; name=\"f\"; filename=\"fallback.jpg\"; filename*=UTF-8''%E2%82%AC%20rates.jpg",
                     expected: "€ rates.jpg"),
        FileNameCase(disposition: "form-data; name=\"f\"; filename*=utf-8'en'%C3%A9t%C3%A9.png", expected: "été.png"),
        FileNameCase(disposition: "form-data; name=\"f\"; filename*=iso-8859-1''%E9.png", expected: "é.png"),
        FileNameCase(disposition: "form-data; name=\"f\"; filename*=UTF-8''%FF%FE.png; filename=\"ok.png\"", expected: "ok.png"),
        FileNameCase(disposition: "FORM-DATA; NAME=\"f\"; FILENAME=\"upper.png\"", expected: "upper.png"),
    ])
    func fileNames(_ testCase: FileNameCase) throws {
        let body = multipartBody(boundary: "x", parts: [(testCase.disposition, nil, [1])])
        let parts = try parseParts(body, boundary: "x", pieceSize: 7)
        #expect(parts.first?.0.filename == testCase.expected)
        #expect(parts.first?.0.name == "f")
    }

    struct HostileCase: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String
        let error: MultipartError
        var testDescription: String { name }
    }

    @Test("malformed bodies fail with a clear error", arguments: [
        HostileCase(name: "no closing delimiter", body: "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nabc",
                    error: .truncated),
        HostileCase(name: "empty body", body: "", error: .truncated),
        HostileCase(name: "only preamble", body: "hello there", error: .truncated),
        HostileCase(name: "part without Content-Disposition", body: "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
                    error: .malformed("part without Content-Disposition")),
        HostileCase(name: "not form-data", body: "--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--b--",
                    error: .malformed("Content-Disposition is not form-data with a name")),
        HostileCase(name: "no name", body: "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
                    error: .malformed("Content-Disposition is not form-data with a name")),
        HostileCase(name: "garbage after delimiter", body: "--bXX\r\n", error: .malformed("delimiter not followed by CRLF")),
        HostileCase(name: "folded part header", body: "--b\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nx\r\n--b--",
                    error: .malformed("invalid part header line")),
        HostileCase(name: "part headers over 16 KiB",
                    body: "--b\r\nX-Big: " + String(repeating: "y", count: 17_000) + "\r\n\r\n", error: .partHeadersTooLarge(limit: 16384)),
        HostileCase(name: "endless part header line", body: "--b\r\nX-Big: " + String(repeating: "y", count: 17_000),
                    error: .partHeadersTooLarge(limit: 16384)),
    ])
    func hostile(_ testCase: HostileCase) {
        for pieceSize in [1, 100, 100_000] {
            #expect(throws: testCase.error) {
                _ = try parseParts(Array(testCase.body.utf8), boundary: "b", pieceSize: pieceSize)
            }
        }
    }

    @Test("boundaries outside 1-70 characters are refused", arguments: ["", String(repeating: "a", count: 71), "ends with space "])
    func invalidBoundary(_ boundary: String) {
        #expect(throws: MultipartError.invalidBoundary) { _ = try MultipartParser(boundary: boundary) }
    }

    @Test("boundary from Content-Type", arguments: [
        ("multipart/form-data; boundary=abc", "abc"),
        ("Multipart/Form-Data;boundary=\"quoted b\"", "quoted b"),
        ("multipart/form-data; charset=utf-8; boundary=x", "x"),
    ])
    func boundaryFromContentType(_ contentType: String, _ expected: String) {
        #expect(MultipartReader.boundary(fromContentType: contentType) == expected)
    }

    @Test("other content types have no multipart boundary", arguments: ["text/plain", "multipart/mixed; boundary=a", "multipart/form-data"])
    func noBoundary(_ contentType: String) {
        #expect(MultipartReader.boundary(fromContentType: contentType) == nil)
    }
}

@Suite struct MultipartReaderTests {
    func reader(_ body: [UInt8], boundary: String = "b", limits: MultipartLimits, chunkSize: Int = 1000) throws -> MultipartReader {
        let chunks = stride(from: 0, to: body.count, by: chunkSize).map { Array(body[$0..<min($0 + chunkSize, body.count)]) }
        return try MultipartReader(body: HTTPRequestBody(chunks: chunks), boundary: boundary, limits: limits)
    }

    /// A fresh directory per use: tests run in parallel and count the files they leave.
    static var spoolDirectory: String {
        var template = Array("/tmp/multipart-test-XXXXXX".utf8CString)
        return String(cString: mkdtemp(&template)!)
    }

    func spoolFiles(_ spoolDirectory: String) -> [String] {
        guard let directory = opendir(spoolDirectory) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    @Test func smallPartsStayInMemoryLargeOnesSpoolAndAreRemoved() async throws {
        let large = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let body = multipartBody(boundary: "b", parts: [
            ("form-data; name=\"small\"", nil, Array("tiny".utf8)),
            ("form-data; name=\"large\"; filename=\"big.bin\"", "application/octet-stream", large),
        ])
        let spoolDirectory = Self.spoolDirectory
        let limits = MultipartLimits(memoryThreshold: 64 * 1024, spoolDirectory: spoolDirectory)
        var parts: [MultipartPart] = []
        for try await part in try reader(body, limits: limits, chunkSize: 4096) { parts.append(part) }
        #expect(parts.count == 2)
        #expect(parts[0].storage == .memory(Array("tiny".utf8)))
        guard case let .file(path) = parts[1].storage else {
            Issue.record("large part was not spooled")
            return
        }
        #expect(path.hasPrefix(spoolDirectory))
        #expect(try parts[1].contents() == large)
        #expect(parts[1].size == large.count)
        #expect(spoolFiles(spoolDirectory).count == 1)
        parts.removeAll()
        #expect(spoolFiles(spoolDirectory).isEmpty, "spool file removed when the part is released")
    }

    struct LimitCase: Sendable, CustomTestStringConvertible {
        let name: String
        let limits: MultipartLimits
        let error: MultipartError
        var testDescription: String { name }
    }

    @Test("limits give 413 naming the limit", arguments: [
        LimitCase(name: "part size", limits: MultipartLimits(maxPartBytes: 100_000, spoolDirectory: spoolDirectory),
                  error: .partTooLarge(limit: 100_000)),
        LimitCase(name: "total size", limits: MultipartLimits(maxTotalBytes: 250_000, spoolDirectory: spoolDirectory),
                  error: .totalTooLarge(limit: 250_000)),
        LimitCase(name: "part count", limits: MultipartLimits(maxParts: 2, spoolDirectory: spoolDirectory),
                  error: .tooManyParts(limit: 2)),
    ])
    func limits(_ testCase: LimitCase) async throws {
        let content = [UInt8](repeating: 0x41, count: 120_000)
        let body = multipartBody(boundary: "b", parts: (0..<3).map { ("form-data; name=\"f\($0)\"; filename=\"f\($0)\"", nil, content) })
        await #expect(throws: testCase.error) {
            for try await _ in try reader(body, limits: testCase.limits) {}
        }
        #expect(testCase.error.status.code == 413)
        #expect(testCase.error.message.contains("\(testCase.limits.maxParts)") || testCase.error.message.contains("limit"))
        #expect(spoolFiles(testCase.limits.spoolDirectory).isEmpty, "an aborted upload leaves no temp file")
    }

    @Test func truncatedUploadFailsAndLeavesNoFile() async throws {
        var body = multipartBody(boundary: "b", parts: [("form-data; name=\"f\"; filename=\"x\"", nil, [UInt8](repeating: 1, count: 200_000))])
        body.removeLast(50)
        let spoolDirectory = Self.spoolDirectory
        await #expect(throws: MultipartError.truncated) {
            for try await _ in try reader(body, limits: MultipartLimits(spoolDirectory: spoolDirectory)) {}
        }
        #expect(spoolFiles(spoolDirectory).isEmpty)
    }

    @Test func requestWithoutMultipartContentTypeIs415() {
        let request = HTTPRequest(head: HTTPRequestHead(method: .post, target: "/", headers: ["Content-Type": "application/json"]))
        #expect(throws: MultipartError.notMultipartFormData) { _ = try MultipartReader(request: request) }
        #expect(MultipartError.notMultipartFormData.status.code == 415)
    }
}
