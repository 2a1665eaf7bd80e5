import Foundation

/// AWS Signature Version 4 for one set of credentials, service and region.
///
/// A value type: create one per credentials snapshot (cheap); share a `SigV4SigningKeyCache`
/// between instances so the derived key is reused. The date is always passed in.
public struct SigV4Signer: Sendable {
    public let credentials: AWSCredentials
    public let service: String
    public let region: String
    public var options: Options
    let keyCache: SigV4SigningKeyCache

    /// Per-service signing choices. `Options(service:)` gives the defaults.
    public struct Options: Sendable, Equatable {
        public var path: SigV4.PathCanonicalization
        /// Send and sign `x-amz-content-sha256` (S3 requires it; the v4 test suite's `sign_body`).
        public var addContentSHA256Header: Bool
        /// Sign `X-Amz-Security-Token`; when false it is added after signing (the test suite's
        /// `omit_session_token`, for services that want it outside the canonical request).
        public var signSessionToken: Bool

        public init(path: SigV4.PathCanonicalization, addContentSHA256Header: Bool, signSessionToken: Bool = true) {
            self.path = path
            self.addContentSHA256Header = addContentSHA256Header
            self.signSessionToken = signSessionToken
        }

        public init(service: String) {
            // S3 is the one service that signs the path as sent: object keys are opaque
            // bytes, so S3 neither normalises nor double-encodes them (S3 API reference,
            // "sig-v4-header-based-auth", canonical request). Every other service double-encodes.
            if service == "s3" {
                self.init(path: .asSent, addContentSHA256Header: true)
            } else {
                self.init(path: .encodedAgain(normalize: true), addContentSHA256Header: false)
            }
        }
    }

    /// Everything a signature was computed from, for tests and debugging.
    public struct Result: Sendable {
        public var canonicalRequestBytes: [UInt8]
        public var stringToSignBytes: [UInt8]
        public var signature: String
        public var signedHeaders: String
        public var credentialScope: String
        /// The request's headers plus Host, X-Amz-Date, X-Amz-Security-Token,
        /// x-amz-content-sha256 (when configured) and Authorization: what to send.
        public var headers: AWSHeaders

        public var canonicalRequest: String { String(decoding: canonicalRequestBytes, as: UTF8.self) }
        public var stringToSign: String { String(decoding: stringToSignBytes, as: UTF8.self) }
        public var authorization: String? { headers["Authorization"] }
    }

    public init(credentials: AWSCredentials, service: String, region: String, options: Options? = nil,
                keyCache: SigV4SigningKeyCache = SigV4SigningKeyCache()) {
        self.credentials = credentials
        self.service = service
        self.region = region
        self.options = options ?? Options(service: service)
        self.keyCache = keyCache
    }

    func signingKey(_ timestamp: SigV4Timestamp) -> HMACKey {
        keyCache.key(secret: credentials.secretAccessKey, dateStamp: timestamp.dateStamp, region: region, service: service)
    }

    // MARK: Header signing

    /// Signs a request for the Authorization header.
    /// - Parameters:
    ///   - wirePath: the path exactly as sent (percent-encoded once).
    ///   - query: raw (unencoded) query items.
    ///   - host: the Host value (`host[:port]`), used when `headers` has none.
    ///   - payloadHash: hex SHA-256 of the body, or `SigV4.unsignedPayload`.
    public func sign(method: String, wirePath: String, query: [(name: String, value: String)], host: String,
                     headers: AWSHeaders, payloadHash: String, date: Date) -> Result {
        let timestamp = SigV4Timestamp(date)
        var sent = headers
        sent["Authorization"] = nil
        if !sent.contains("Host") { sent.add(name: "Host", value: host) }
        sent["X-Amz-Date"] = timestamp.amzDate
        if options.addContentSHA256Header { sent["x-amz-content-sha256"] = payloadHash }
        if let token = credentials.sessionToken {
            sent["X-Amz-Security-Token"] = options.signSessionToken ? token : nil
        }
        let canonicalHeaders = SigV4.canonicalHeaders(sent.fields)
        var uri: [UInt8] = []
        SigV4.appendCanonicalURI(wirePath: wirePath, options.path, to: &uri)
        let canonicalRequest = SigV4.canonicalRequest(
            method: method, canonicalURI: uri, canonicalQuery: SigV4.canonicalQuery(query),
            headers: canonicalHeaders, payloadHash: payloadHash)
        let scope = SigV4.credentialScope(dateStamp: timestamp.dateStamp, region: region, service: service)
        let stringToSign = SigV4.stringToSign(canonicalRequest: canonicalRequest, amzDate: timestamp.amzDate, credentialScope: scope)
        let signature = SigV4.signature(signingKey: signingKey(timestamp), stringToSign: stringToSign)
        let signedHeaderList = String(decoding: canonicalHeaders.signedHeaders, as: UTF8.self)
        sent.add(name: "Authorization", value: Self.authorization(accessKeyID: credentials.accessKeyID, scope: scope,
                                                                 signedHeaders: canonicalHeaders.signedHeaders, signature: signature))
        if let token = credentials.sessionToken, !options.signSessionToken { sent["X-Amz-Security-Token"] = token }
        return Result(canonicalRequestBytes: canonicalRequest, stringToSignBytes: stringToSign, signature: signature,
                      signedHeaders: signedHeaderList, credentialScope: scope, headers: sent)
    }

    /// `AWS4-HMAC-SHA256 Credential=KEY/SCOPE, SignedHeaders=a;b, Signature=HEX`, assembled as bytes.
    static func authorization(accessKeyID: String, scope: String, signedHeaders: [UInt8], signature: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + accessKeyID.utf8.count + scope.utf8.count + signedHeaders.count + 64)
        bytes.append(contentsOf: SigV4.algorithm.utf8)
        bytes.append(contentsOf: " Credential=".utf8)
        bytes.append(contentsOf: accessKeyID.utf8)
        bytes.append(0x2F)
        bytes.append(contentsOf: scope.utf8)
        bytes.append(contentsOf: ", SignedHeaders=".utf8)
        bytes.append(contentsOf: signedHeaders)
        bytes.append(contentsOf: ", Signature=".utf8)
        bytes.append(contentsOf: signature.utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Signs `target` (its encoded path, raw query and authority) for the Authorization header.
    public func sign(method: String, target: AWSRequestTarget, headers: AWSHeaders, payloadHash: String, date: Date) -> Result {
        sign(method: method, wirePath: target.encodedPath, query: target.query, host: target.authority,
             headers: headers, payloadHash: payloadHash, date: date)
    }

    // MARK: Query signing (presigned URLs)

    /// The result of query signing: the query items to send (the request's own, the X-Amz-*
    /// parameters, then X-Amz-Signature) alongside the stages.
    public struct PresignedResult: Sendable {
        public var query: [(name: String, value: String)]
        public var canonicalRequestBytes: [UInt8]
        public var stringToSignBytes: [UInt8]
        public var signature: String
        public var canonicalRequest: String { String(decoding: canonicalRequestBytes, as: UTF8.self) }
        public var stringToSign: String { String(decoding: stringToSignBytes, as: UTF8.self) }

        /// The query string, encoded for a URL.
        public var encodedQuery: String {
            query.map { URIEncoding.encode($0.name, keepSlash: false) + "=" + URIEncoding.encode($0.value, keepSlash: false) }
                .joined(separator: "&")
        }
    }

    /// Query-signs a request (a presigned URL valid for `expires` seconds). Headers in
    /// `headers` are signed too and must then be sent by whoever uses the URL.
    /// - Parameter payloadHash: nil means `UNSIGNED-PAYLOAD` for S3 and the empty-body hash otherwise.
    public func presign(method: String, wirePath: String, query: [(name: String, value: String)], host: String,
                        headers: AWSHeaders = AWSHeaders(), expires: Int, payloadHash: String? = nil, date: Date) -> PresignedResult {
        let timestamp = SigV4Timestamp(date)
        var signedFields = headers
        signedFields["Authorization"] = nil
        signedFields["X-Amz-Date"] = nil
        if !signedFields.contains("Host") { signedFields.add(name: "Host", value: host) }
        let canonicalHeaders = SigV4.canonicalHeaders(signedFields.fields)
        let signedHeaders = String(decoding: canonicalHeaders.signedHeaders, as: UTF8.self)
        let scope = SigV4.credentialScope(dateStamp: timestamp.dateStamp, region: region, service: service)
        var items = query
        items.append(("X-Amz-Algorithm", SigV4.algorithm))
        items.append(("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope)"))
        items.append(("X-Amz-Date", timestamp.amzDate))
        items.append(("X-Amz-Expires", String(expires)))
        items.append(("X-Amz-SignedHeaders", signedHeaders))
        if let token = credentials.sessionToken, options.signSessionToken { items.append(("X-Amz-Security-Token", token)) }
        let payload = payloadHash ?? (options.path == .asSent ? SigV4.unsignedPayload : SHA256.emptyHashHex)
        var uri: [UInt8] = []
        SigV4.appendCanonicalURI(wirePath: wirePath, options.path, to: &uri)
        let canonicalRequest = SigV4.canonicalRequest(
            method: method, canonicalURI: uri, canonicalQuery: SigV4.canonicalQuery(items),
            headers: canonicalHeaders, payloadHash: payload)
        let stringToSign = SigV4.stringToSign(canonicalRequest: canonicalRequest, amzDate: timestamp.amzDate, credentialScope: scope)
        let signature = SigV4.signature(signingKey: signingKey(timestamp), stringToSign: stringToSign)
        if let token = credentials.sessionToken, !options.signSessionToken { items.append(("X-Amz-Security-Token", token)) }
        items.append(("X-Amz-Signature", signature))
        return PresignedResult(query: items, canonicalRequestBytes: canonicalRequest, stringToSignBytes: stringToSign,
                               signature: signature)
    }

    /// Query-signs `target` and returns the encoded query string for the URL.
    public func presignedQuery(method: String, target: AWSRequestTarget, headers: AWSHeaders, expires: Int, date: Date) -> String {
        presign(method: method, wirePath: target.encodedPath, query: target.query, host: target.authority,
                headers: headers, expires: expires, date: date).encodedQuery
    }
}
