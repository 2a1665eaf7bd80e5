import Foundation

/// Where a service's requests go: the custom endpoint (moto) when configured, otherwise the
/// real regional host (`https://{service}.{region}.amazonaws.com`, S3 `https://s3.{region}.amazonaws.com`).
public struct AWSEndpoint: Sendable, Equatable {
    public var scheme: String
    /// Host name, with `:port` when the URL names one (the Host header and signature use it).
    public var authority: String
    /// A path prefix from the custom endpoint URL (usually empty).
    public var basePath: String
    public var isCustom: Bool
    public var service: AWSService
    /// Why the custom endpoint cannot be used (no host, not http/https); requests then fail at
    /// once instead of silently going to the real AWS endpoint.
    public var problem: String?

    public init(service: AWSService, region: String, customEndpoint: URL?) {
        self.service = service
        problem = nil
        if let custom = customEndpoint, custom.host == nil || !["http", "https"].contains(custom.scheme?.lowercased() ?? "") {
            scheme = "invalid"
            authority = ""
            basePath = ""
            isCustom = true
            problem = "endpoint URL '\(custom.absoluteString)' needs an http or https scheme and a host, e.g. http://127.0.0.1:5000"
        } else if let custom = customEndpoint, let host = custom.host {
            scheme = custom.scheme?.lowercased() ?? "https"
            let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            authority = custom.port.map { "\(bracketed):\($0)" } ?? bracketed
            var path = custom.path
            while path.hasSuffix("/") { path.removeLast() }
            basePath = path
            isCustom = true
        } else {
            scheme = "https"
            let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
            authority = service.globalHost ?? "\(service.endpointPrefix).\(region).\(suffix)"
            basePath = ""
            isCustom = false
        }
    }

    /// The host and wire path for `request`. S3 on a real endpoint uses virtual-hosted style
    /// (`bucket.s3.region.amazonaws.com/key`) when the bucket name is DNS- and TLS-safe;
    /// custom endpoints (moto) always get path style (`host:port/bucket/key`).
    public func target(for request: AWSRequest) -> AWSRequestTarget {
        var authority = self.authority
        var rawPath = request.path.utf8.first == UInt8(ascii: "/") ? request.path : "/" + request.path
        if service.isS3 && !isCustom {
            // Bytes, not Characters: the bucket is ASCII and grapheme breaking is costly.
            let utf8 = rawPath.utf8
            let bucketStart = utf8.index(after: utf8.startIndex)
            let bucketEnd = utf8[bucketStart...].firstIndex(of: UInt8(ascii: "/")) ?? utf8.endIndex
            let bucket = rawPath[bucketStart..<bucketEnd]
            if Self.isVirtualHostable(bucket: bucket) {
                authority = bucket + "." + authority
                rawPath = bucketEnd == utf8.endIndex ? "/" : String(rawPath[bucketEnd...])
            }
        }
        return AWSRequestTarget(scheme: scheme, authority: authority, rawPath: basePath.isEmpty ? rawPath : basePath + rawPath,
                                query: request.query)
    }

    /// Lower-case letters, digits and hyphens, 3-63 long, no dots (a dot breaks the wildcard
    /// TLS certificate of *.s3.region.amazonaws.com).
    static func isVirtualHostable(bucket: Substring) -> Bool {
        guard (3...63).contains(bucket.utf8.count), bucket.first != "-", bucket.last != "-" else { return false }
        return bucket.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}

/// A request's resolved location: scheme, host and the raw path and query before encoding.
public struct AWSRequestTarget: Sendable {
    public var scheme: String
    public var authority: String
    public var rawPath: String
    public var query: [(name: String, value: String)]

    /// The path as sent: each segment percent-encoded once (RFC 3986 unreserved kept, "/" kept).
    public var encodedPath: String { URIEncoding.encode(rawPath, keepSlash: true) }

    /// The query as sent, in the caller's order, names and values percent-encoded.
    public var encodedQuery: String {
        query.map { URIEncoding.encode($0.name, keepSlash: false) + "=" + URIEncoding.encode($0.value, keepSlash: false) }
            .joined(separator: "&")
    }

    public var urlString: String { urlString(withEncodedQuery: encodedQuery) }

    func urlString(withEncodedQuery query: String) -> String {
        query.isEmpty ? "\(scheme)://\(authority)\(encodedPath)" : "\(scheme)://\(authority)\(encodedPath)?\(query)"
    }
}
