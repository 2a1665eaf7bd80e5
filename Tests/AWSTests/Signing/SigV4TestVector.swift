import AWS
import Foundation
import TestSupport

/// One case of the AWS SigV4 test suite (`../shared/sigv4/v4/<case>/` or the classic
/// `../shared/sigv4/classic/**/<case>.req`), parsed into signer inputs and expected stages.
struct SigV4TestVector: Sendable {
    enum Suite: String, Sendable { case v4, classic }

    /// How a folded header line (obs-fold: a line starting with whitespace) is read. The two
    /// suites disagree: the v4 suite unfolds it into the same value (trimmed to
    /// "value1 value2 value3"), the classic 2015 suite treats each continuation line as another
    /// value of the header ("value1,value2,value3"). It is a property of the fixture format,
    /// not of the signer, so the parser follows each suite.
    enum FoldedLines { case unfold, separateValues }

    struct Expected: Sendable {
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
        var authorization: String?
    }

    var suite: Suite
    var name: String
    var method: String
    var wirePath: String
    var query: [(name: String, value: String)]
    var headers: AWSHeaders
    var body: [UInt8]
    var credentials: AWSCredentials
    var region: String
    var service: String
    var date: Date
    var normalize: Bool
    var signBody: Bool
    var omitSessionToken: Bool
    var expires: Int
    var header: Expected
    /// The query-signing variant (v4 suite only).
    var query_: Expected?

    static let exampleCredentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE",
                                                   secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    // MARK: Discovery

    static func v4CaseNames() -> [String] {
        guard let root = TestPaths.shared?.appendingPathComponent("sigv4/v4") else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/request.txt").path) }.sorted()
    }

    /// Classic cases as paths relative to the classic folder, e.g. "normalize-path/get-slash/get-slash".
    static func classicCaseNames() -> [String] {
        guard let root = TestPaths.shared?.appendingPathComponent("sigv4/classic"),
              let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var names: [String] = []
        while let item = walker.nextObject() as? String {
            if item.hasSuffix(".req") { names.append(String(item.dropLast(4))) }
        }
        return names.sorted()
    }

    // MARK: Loading

    static func loadV4(_ name: String) throws -> SigV4TestVector {
        let folder = TestPaths.shared!.appendingPathComponent("sigv4/v4/\(name)")
        func read(_ file: String) throws -> String { try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) }
        let context = try JSONSerialization.jsonObject(with: Data(read("context.json").utf8)) as! [String: Any]
        let credentials = context["credentials"] as! [String: Any]
        let request = try parseRequest(read("request.txt"), folded: .unfold)
        let header = Expected(canonicalRequest: try read("header-canonical-request.txt"),
                              stringToSign: try read("header-string-to-sign.txt"),
                              signature: try read("header-signature.txt").trimmingCharacters(in: .whitespacesAndNewlines),
                              authorization: authorizationLine(try read("header-signed-request.txt")))
        let query = Expected(canonicalRequest: try read("query-canonical-request.txt"),
                             stringToSign: try read("query-string-to-sign.txt"),
                             signature: try read("query-signature.txt").trimmingCharacters(in: .whitespacesAndNewlines),
                             authorization: nil)
        return SigV4TestVector(
            suite: .v4, name: name, method: request.method, wirePath: request.path, query: request.query,
            headers: request.headers, body: request.body,
            credentials: AWSCredentials(accessKeyID: credentials["access_key_id"] as! String,
                                        secretAccessKey: credentials["secret_access_key"] as! String,
                                        sessionToken: credentials["token"] as? String),
            region: context["region"] as! String, service: context["service"] as! String,
            date: try parseTimestamp(context["timestamp"] as! String),
            normalize: context["normalize"] as? Bool ?? true, signBody: context["sign_body"] as? Bool ?? false,
            omitSessionToken: context["omit_session_token"] as? Bool ?? false,
            expires: context["expiration_in_seconds"] as? Int ?? 3600, header: header, query_: query)
    }

    /// The classic suite has no context file: every case uses the example key, us-east-1,
    /// service "service", 2015-08-30T12:36:00Z and path normalisation; a session token, where
    /// used, is already a request header (post-sts-header-before) or not signed at all
    /// (post-sts-header-after), so the credentials carry none.
    static func loadClassic(_ relativeName: String) throws -> SigV4TestVector {
        let base = TestPaths.shared!.appendingPathComponent("sigv4/classic/\(relativeName)")
        func read(_ ext: String) throws -> String { try String(contentsOf: base.appendingPathExtension(ext), encoding: .utf8) }
        let request = try parseRequest(read("req"), folded: .separateValues)
        let expected = Expected(canonicalRequest: try read("creq"), stringToSign: try read("sts"),
                                signature: "", authorization: try read("authz").trimmingCharacters(in: .whitespacesAndNewlines))
        var vector = SigV4TestVector(
            suite: .classic, name: relativeName, method: request.method, wirePath: request.path, query: request.query,
            headers: request.headers, body: request.body, credentials: exampleCredentials, region: "us-east-1",
            service: "service", date: try parseTimestamp("2015-08-30T12:36:00Z"), normalize: true, signBody: false,
            omitSessionToken: false, expires: 3600, header: expected, query_: nil)
        if let range = expected.authorization?.range(of: "Signature=") {
            vector.header.signature = String(expected.authorization![range.upperBound...])
        }
        return vector
    }

    // MARK: Parsing

    struct ParsedRequest {
        var method: String
        var path: String
        var query: [(name: String, value: String)]
        var headers: AWSHeaders
        var body: [UInt8]
    }

    struct FormatError: Error, CustomStringConvertible { var description: String }

    /// The request line keeps raw spaces and UTF-8 in the path ("GET /example space/ HTTP/1.1"),
    /// so the method is up to the first space and the version is the last word.
    static func parseRequest(_ text: String, folded: FoldedLines) throws -> ParsedRequest {
        let (head, body) = splitHeadAndBody(text)
        var lines = head.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        guard let firstSpace = requestLine.firstIndex(of: " "), let lastSpace = requestLine.lastIndex(of: " "),
              firstSpace < lastSpace else { throw FormatError(description: "bad request line: \(requestLine)") }
        let method = String(requestLine[..<firstSpace])
        let target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])
        let path: String, queryText: String
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            queryText = String(target[target.index(after: mark)...])
        } else {
            path = target
            queryText = ""
        }
        var query: [(name: String, value: String)] = []
        for pair in queryText.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            query.append((percentDecoded(String(parts[0])), parts.count > 1 ? percentDecoded(String(parts[1])) : ""))
        }
        var fields: [(String, String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                guard !fields.isEmpty else { throw FormatError(description: "continuation line before any header") }
                switch folded {
                case .unfold: fields[fields.count - 1].1 += " " + line
                case .separateValues: fields.append((fields[fields.count - 1].0, line))
                }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { throw FormatError(description: "header without colon: \(line)") }
            fields.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        return ParsedRequest(method: method, path: path, query: query, headers: AWSHeaders(fields), body: Array(body.utf8))
    }

    static func splitHeadAndBody(_ text: String) -> (String, String) {
        if let range = text.range(of: "\n\n") { return (String(text[..<range.lowerBound]), String(text[range.upperBound...])) }
        return (text.hasSuffix("\n") ? String(text.dropLast()) : text, "")
    }

    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == 0x25, let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func authorizationLine(_ signedRequest: String) -> String? {
        for line in signedRequest.components(separatedBy: "\n") where line.lowercased().hasPrefix("authorization:") {
            return line.dropFirst("authorization:".count).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    static func parseTimestamp(_ text: String) throws -> Date {
        guard let date = ISO8601DateFormatter().date(from: text) else { throw FormatError(description: "bad timestamp \(text)") }
        return date
    }
}
