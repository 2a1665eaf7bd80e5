/// The stages of AWS Signature Version 4 as pure functions, named after the spec
/// (canonical request → string to sign → signing key → signature). They work on UTF-8 bytes
/// so the signer's hot path builds no intermediate `String`s.
public enum SigV4 {
    public static let algorithm = "AWS4-HMAC-SHA256"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// How the canonical URI is formed from the path as sent on the wire.
    public enum PathCanonicalization: Sendable, Equatable {
        /// S3: the path exactly as sent (already encoded once), no dot-segment removal, since an
        /// object key may legitimately contain "//" or "/../".
        case asSent
        /// Every other service: remove dot segments and empty segments (when `normalize`), then
        /// URI-encode the wire path again, so a key's "%20" is signed as "%2520".
        case encodedAgain(normalize: Bool)
    }

    /// Headers botocore never signs (hop-by-hop or rewritten by proxies); we match it.
    static let unsignedHeaderNames: Set<String> = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id", "authorization",
    ]

    // MARK: Canonical request

    /// The canonical URI for a wire path.
    public static func canonicalURI(wirePath: String, _ style: PathCanonicalization) -> [UInt8] {
        var output: [UInt8] = []
        appendCanonicalURI(wirePath: wirePath, style, to: &output)
        return output
    }

    static func appendCanonicalURI(wirePath: String, _ style: PathCanonicalization, to output: inout [UInt8]) {
        switch style {
        case .asSent:
            if wirePath.isEmpty { output.append(0x2F) } else { output.append(contentsOf: wirePath.utf8) }
        case .encodedAgain(let normalize):
            let path = normalize ? removeDotSegments(wirePath) : (wirePath.isEmpty ? "/" : wirePath)
            URIEncoding.append(path.utf8, keepSlash: true, to: &output)
        }
    }

    /// RFC 3986 §5.2.4 dot-segment removal, plus dropping empty segments ("//"), which AWS
    /// services other than S3 require; a trailing "/" is kept.
    public static func removeDotSegments(_ path: String) -> String {
        if path.isEmpty { return "/" }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." { if !segments.isEmpty { segments.removeLast() }; continue }
            segments.append(segment)
        }
        var result = path.hasPrefix("/") ? "/" : ""
        result += segments.joined(separator: "/")
        if path.hasSuffix("/") && !segments.isEmpty { result += "/" }
        return result
    }

    /// The canonical query string: names and values URI-encoded, sorted by encoded name, then
    /// by encoded value, joined with "&" and "=" (an empty value keeps its "=").
    public static func canonicalQuery(_ items: [(name: String, value: String)]) -> [UInt8] {
        var output: [UInt8] = []
        appendCanonicalQuery(items, to: &output)
        return output
    }

    static func appendCanonicalQuery(_ items: [(name: String, value: String)], to output: inout [UInt8]) {
        if items.isEmpty { return }
        var encoded: [(name: [UInt8], value: [UInt8])] = []
        encoded.reserveCapacity(items.count)
        for item in items {
            var name: [UInt8] = [], value: [UInt8] = []
            URIEncoding.append(item.name.utf8, keepSlash: false, to: &name)
            URIEncoding.append(item.value.utf8, keepSlash: false, to: &value)
            encoded.append((name, value))
        }
        if encoded.count > 1 {
            encoded.sort { a, b in
                a.name == b.name ? a.value.lexicographicallyPrecedes(b.value) : a.name.lexicographicallyPrecedes(b.name)
            }
        }
        for (index, pair) in encoded.enumerated() {
            if index > 0 { output.append(0x26) }
            output.append(contentsOf: pair.name)
            output.append(0x3D)
            output.append(contentsOf: pair.value)
        }
    }

    /// A header to sign: its lower-cased name and every value in order.
    public struct CanonicalHeader: Sendable {
        public var name: [UInt8]
        public var values: [String]
    }

    /// Groups `fields` by lower-cased name (values in order), drops unsigned headers, sorts by name.
    public static func canonicalHeaders(_ fields: [AWSHeaders.Field]) -> [CanonicalHeader] {
        var headers: [CanonicalHeader] = []
        headers.reserveCapacity(fields.count)
        for field in fields {
            let name = lowercasedASCII(field.name)
            if let index = headers.firstIndex(where: { $0.name == name }) {
                headers[index].values.append(field.value)
            } else if !isUnsigned(name) {
                headers.append(CanonicalHeader(name: name, values: [field.value]))
            }
        }
        headers.sort { $0.name.lexicographicallyPrecedes($1.name) }
        return headers
    }

    /// `name1;name2;...`
    public static func signedHeaders(_ headers: [CanonicalHeader]) -> [UInt8] {
        var output: [UInt8] = []
        for (index, header) in headers.enumerated() {
            if index > 0 { output.append(0x3B) }
            output.append(contentsOf: header.name)
        }
        return output
    }

    /// Assembles the canonical request:
    /// method \n URI \n query \n (name:trimmed,values \n)* \n signed;headers \n payload-hash.
    public static func canonicalRequest(method: String, canonicalURI: [UInt8], canonicalQuery: [UInt8],
                                        headers: [CanonicalHeader], signedHeaders: [UInt8], payloadHash: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256 + canonicalURI.count + canonicalQuery.count)
        output.append(contentsOf: method.utf8)
        output.append(0x0A)
        output.append(contentsOf: canonicalURI)
        output.append(0x0A)
        output.append(contentsOf: canonicalQuery)
        output.append(0x0A)
        for header in headers {
            output.append(contentsOf: header.name)
            output.append(0x3A)
            for (index, value) in header.values.enumerated() {
                if index > 0 { output.append(0x2C) }
                appendTrimmed(value, to: &output)
            }
            output.append(0x0A)
        }
        output.append(0x0A)
        output.append(contentsOf: signedHeaders)
        output.append(0x0A)
        output.append(contentsOf: payloadHash.utf8)
        return output
    }

    // MARK: String to sign, signing key, signature

    /// `date/region/service/aws4_request`
    public static func credentialScope(dateStamp: Substring, region: String, service: String) -> String {
        "\(dateStamp)/\(region)/\(service)/aws4_request"
    }

    /// AWS4-HMAC-SHA256 \n amz-date \n scope \n hex(SHA-256(canonical request)).
    public static func stringToSign(canonicalRequest: [UInt8], amzDate: String, credentialScope: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(50 + credentialScope.utf8.count + 64)
        output.append(contentsOf: algorithm.utf8)
        output.append(0x0A)
        output.append(contentsOf: amzDate.utf8)
        output.append(0x0A)
        output.append(contentsOf: credentialScope.utf8)
        output.append(0x0A)
        SHA256.appendHex(SHA256.hash(canonicalRequest), to: &output)
        return output
    }

    /// HMAC chain "AWS4"+secret → date → region → service → "aws4_request".
    public static func signingKey(secret: String, dateStamp: Substring, region: String, service: String) -> [UInt8] {
        let dateKey = HMACKey(Array(("AWS4" + secret).utf8)).authenticate(String(dateStamp))
        let regionKey = HMACKey(dateKey).authenticate(region)
        let serviceKey = HMACKey(regionKey).authenticate(service)
        return HMACKey(serviceKey).authenticate("aws4_request")
    }

    /// hex(HMAC(signing key, string to sign)).
    public static func signature(signingKey: HMACKey, stringToSign: [UInt8]) -> String {
        SHA256.hex(signingKey.authenticate(stringToSign))
    }

    // MARK: Byte helpers

    @inline(__always)
    static func lowercasedASCII(_ string: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(string.utf8.count)
        for byte in string.utf8 { output.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
        return output
    }

    static func isUnsigned(_ lowercasedName: [UInt8]) -> Bool {
        guard let first = lowercasedName.first, [0x61, 0x63, 0x65, 0x6B, 0x70, 0x74, 0x75, 0x78].contains(first) else {
            return false
        }
        return unsignedHeaderNames.contains(String(decoding: lowercasedName, as: UTF8.self))
    }

    /// Whitespace as Python's `str.split()` sees it in ASCII, so trimming matches botocore.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) || (byte >= 0x1C && byte <= 0x1F)
    }

    /// Trim-all: no leading/trailing whitespace, each inner run becomes one space.
    static func appendTrimmed(_ value: String, to output: inout [UInt8]) {
        var pendingSpace = false
        var started = false
        for byte in value.utf8 {
            if isWhitespace(byte) {
                pendingSpace = started
            } else {
                if pendingSpace { output.append(0x20); pendingSpace = false }
                output.append(byte)
                started = true
            }
        }
    }
}
