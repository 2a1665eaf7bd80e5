import Foundation

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

    /// The canonical headers block (`name:value,value\n` per signed header, sorted by name)
    /// and the signed-headers list (`name;name`), built together in one pass.
    public struct CanonicalHeaders: Sendable {
        public var block: [UInt8]
        public var signedHeaders: [UInt8]
    }

    /// Lower-cases names, drops unsigned headers, groups repeats (values in their original
    /// order), trims values and sorts by name. Names are lower-cased into one shared buffer and
    /// sorted as slices of it, so a request's headers cost a handful of allocations in total.
    public static func canonicalHeaders(_ fields: [AWSHeaders.Field]) -> CanonicalHeaders {
        var names: [UInt8] = []
        names.reserveCapacity(fields.count * 20)
        var entries: [(start: Int, length: Int, field: Int)] = []
        entries.reserveCapacity(fields.count)
        for (index, field) in fields.enumerated() {
            let start = names.count
            for byte in field.name.utf8 { names.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
            let length = names.count - start
            if isUnsigned(names, start: start, length: length) {
                names.removeLast(length)
            } else {
                entries.append((start, length, index))
            }
        }
        var block: [UInt8] = []
        var signed: [UInt8] = []
        names.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            func order(_ a: (start: Int, length: Int, field: Int), _ b: (start: Int, length: Int, field: Int)) -> Int32 {
                let common = min(a.length, b.length)
                let result = common == 0 ? 0 : memcmp(base + a.start, base + b.start, common)
                if result != 0 { return result }
                return a.length == b.length ? 0 : (a.length < b.length ? -1 : 1)
            }
            // Ties keep field order, so repeated headers join in the order they were given.
            entries.sort { a, b in
                let result = order(a, b)
                return result < 0 || (result == 0 && a.field < b.field)
            }
            block.reserveCapacity(names.count + entries.count * 48)
            signed.reserveCapacity(names.count + entries.count)
            var index = 0
            while index < entries.count {
                let entry = entries[index]
                let name = UnsafeBufferPointer(rebasing: buffer[entry.start..<(entry.start + entry.length)])
                if !signed.isEmpty { signed.append(0x3B) }
                signed.append(contentsOf: name)
                block.append(contentsOf: name)
                block.append(0x3A)
                appendTrimmed(fields[entry.field].value, to: &block)
                var next = index + 1
                while next < entries.count, order(entries[next], entry) == 0 {
                    block.append(0x2C)
                    appendTrimmed(fields[entries[next].field].value, to: &block)
                    next += 1
                }
                block.append(0x0A)
                index = next
            }
        }
        return CanonicalHeaders(block: block, signedHeaders: signed)
    }

    /// Assembles the canonical request:
    /// method \n URI \n query \n (name:trimmed,values \n)* \n signed;headers \n payload-hash.
    public static func canonicalRequest(method: String, canonicalURI: [UInt8], canonicalQuery: [UInt8],
                                        headers: CanonicalHeaders, payloadHash: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(80 + canonicalURI.count + canonicalQuery.count + headers.block.count + headers.signedHeaders.count)
        output.append(contentsOf: method.utf8)
        output.append(0x0A)
        output.append(contentsOf: canonicalURI)
        output.append(0x0A)
        output.append(contentsOf: canonicalQuery)
        output.append(0x0A)
        output.append(contentsOf: headers.block)
        output.append(0x0A)
        output.append(contentsOf: headers.signedHeaders)
        output.append(0x0A)
        output.append(contentsOf: payloadHash.utf8)
        return output
    }

    // MARK: String to sign, signing key, signature

    /// `date/region/service/aws4_request`
    public static func credentialScope(dateStamp: Substring, region: String, service: String) -> String {
        var scope = String(dateStamp)
        scope.reserveCapacity(dateStamp.utf8.count + region.utf8.count + service.utf8.count + 15)
        scope += "/"
        scope += region
        scope += "/"
        scope += service
        scope += "/aws4_request"
        return scope
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

    static let unsignedHeaderBytes: [[UInt8]] = unsignedHeaderNames.map { Array($0.utf8) }

    @inline(__always)
    static func isUnsigned(_ buffer: [UInt8], start: Int, length: Int) -> Bool {
        switch length {
        case 2, 6, 7, 10, 13, 15, 17, 18, 19: break
        default: return false
        }
        for name in unsignedHeaderBytes where name.count == length {
            var equal = true
            for offset in 0..<length where buffer[start + offset] != name[offset] {
                equal = false
                break
            }
            if equal { return true }
        }
        return false
    }

    /// Whitespace as Python's `str.split()` sees it in ASCII, so trimming matches botocore.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) || (byte >= 0x1C && byte <= 0x1F)
    }

    /// Trim-all: no leading/trailing whitespace, each inner run becomes one space. Most values
    /// are already clean and are copied in one go.
    static func appendTrimmed(_ value: String, to output: inout [UInt8]) {
        let done: Bool? = value.utf8.withContiguousStorageIfAvailable { bytes in
            guard let first = bytes.firstIndex(where: { !isWhitespace($0) }) else { return true }
            var last = bytes.count - 1
            while isWhitespace(bytes[last]) { last -= 1 }
            var previousWasSpace = false
            for index in first...last {
                let byte = bytes[index]
                if isWhitespace(byte) {
                    if previousWasSpace || byte != 0x20 { return false }
                    previousWasSpace = true
                } else {
                    previousWasSpace = false
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[first...last]))
            return true
        }
        if done == true { return }
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
