import Foundation

/// Pure functions from S3 responses (headers, XML bodies) to values; no I/O, tested directly.
public enum S3ResponseParser {
    /// The user-metadata prefix; header names compare case-insensitively.
    static let metadataPrefix = "x-amz-meta-"

    /// Reads object attributes from `HeadObject`/`GetObject` response headers.
    public static func objectAttributes(from headers: AWSHeaders) -> S3ObjectAttributes {
        // Field values lose surrounding whitespace (RFC 9110 §5.5: it is not part of the value).
        func value(_ name: String) -> String? { headers[name].map(trimmed) }
        var metadata: [String: String] = [:]
        for field in headers where field.name.count > metadataPrefix.count
            && field.name.lowercased().hasPrefix(metadataPrefix) {
            metadata[String(field.name.lowercased().dropFirst(metadataPrefix.count))] = trimmed(field.value)
        }
        return S3ObjectAttributes(
            contentLength: value("Content-Length").flatMap { Int($0) } ?? 0,
            contentType: value("Content-Type"),
            eTag: value("ETag"),
            lastModified: value("Last-Modified").flatMap(HTTPDate.parse),
            metadata: metadata)
    }

    /// Drops surrounding spaces, tabs, CR and LF (byte-wise: Foundation's `CharacterSet` trimming
    /// cost a worker more per object than the rest of the header handling).
    static func trimmed(_ text: String) -> String {
        let bytes = text.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !isSpace($0) })!
        if first == bytes.startIndex && last == bytes.index(before: bytes.endIndex) { return text }
        return String(text[first...last])
    }

    /// Parses a `ListBucketResult` (ListObjectsV2) document.
    public static func listPage(from body: Data) throws -> S3ListPage {
        let root = try XMLTreeReader.parse(body)
        guard root.name == "ListBucketResult" else {
            throw S3Error.malformedResponse(operation: "ListObjectsV2", reason: "root element <\(root.name)>, expected <ListBucketResult>")
        }
        let objects = try root.children(named: "Contents").map { entry -> S3ObjectSummary in
            guard let key = entry.text(of: "Key") else {
                throw S3Error.malformedResponse(operation: "ListObjectsV2", reason: "<Contents> without <Key>")
            }
            return S3ObjectSummary(
                key: key,
                size: entry.text(of: "Size").flatMap { Int($0) } ?? 0,
                eTag: entry.text(of: "ETag"),
                lastModified: entry.text(of: "LastModified").flatMap(ISO8601Timestamp.parse))
        }
        let prefixes = root.children(named: "CommonPrefixes").compactMap { $0.text(of: "Prefix") }
        let truncated = root.text(of: "IsTruncated")?.lowercased() == "true"
        let token = root.text(of: "NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 }
        if truncated && token == nil {
            // Without a token the next page cannot be asked for; looping would repeat page one.
            throw S3Error.malformedResponse(operation: "ListObjectsV2", reason: "IsTruncated without NextContinuationToken")
        }
        return S3ListPage(objects: objects, commonPrefixes: prefixes, nextContinuationToken: token, isTruncated: truncated)
    }
}

/// Timestamps in S3 XML: ISO 8601 with or without fractional seconds.
enum ISO8601Timestamp {
    static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}

/// HTTP dates (`Last-Modified`), RFC 9110 §5.6.7 IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
///
/// Parsed by hand: a `DateFormatter` per call (they are not `Sendable`, so not shared) cost a
/// worker about 0.4 ms of CPU per downloaded object. S3 sends only this form; the obsolete forms
/// RFC 9110 lets servers stop sending give nil, as anything else malformed does.
enum HTTPDate {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    static func parse(_ text: String) -> Date? {
        let fields = text.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0].count == 4, fields[0].last == ",",
              weekdays.contains(String(fields[0].dropLast())), fields[5] == "GMT",
              fields[1].count == 2, let day = Int(fields[1]),
              let monthIndex = months.firstIndex(of: String(fields[2])),
              fields[3].count == 4, let year = Int(fields[3]) else { return nil }
        let time = fields[4].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 3, time.allSatisfy({ $0.count == 2 }),
              let hour = Int(time[0]), let minute = Int(time[1]), let second = Int(time[2]),
              (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return Date(timeIntervalSince1970: TimeInterval(((days * 24 + hour) * 60 + minute) * 60 + min(second, 59)))
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
