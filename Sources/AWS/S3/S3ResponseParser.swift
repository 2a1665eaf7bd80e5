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

    static func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: CharacterSet(charactersIn: " \t\r\n"))
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

/// HTTP dates (`Last-Modified`), RFC 9110 §5.6.7 IMF-fixdate.
enum HTTPDate {
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
