import CCrypto
import Foundation

/// The server side of the opening handshake (RFC 6455 §4.2): validates the client's request and
/// computes the 101 response headers.
///
/// Works on plain header lookups so it is tested without a server; `WebSocketRoute` adapts the
/// HTTP request type to it.
public struct WSHandshake: Sendable {
    /// The GUID every server appends to the key (RFC 6455 §1.3).
    public static let keyGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    /// The only protocol version defined by RFC 6455.
    public static let supportedVersion = "13"

    public struct Options: Sendable {
        /// Subprotocols we speak, in our order of preference.
        public var subprotocols: [String]
        /// Decides whether a browser page's `Origin` may connect; nil header means a non-browser
        /// client (§10.2). The default accepts everything.
        public var originPolicy: @Sendable (_ origin: String?) -> Bool
        /// Offer permessage-deflate (RFC 7692) when the client asks for it.
        public var permessageDeflate: Bool
        /// Declare `server_no_context_takeover` even if not asked (shared broadcast frames, less memory).
        public var serverNoContextTakeover: Bool

        public init(subprotocols: [String] = [], permessageDeflate: Bool = true,
                    serverNoContextTakeover: Bool = true,
                    originPolicy: @escaping @Sendable (_ origin: String?) -> Bool = { _ in true }) {
            self.subprotocols = subprotocols
            self.permessageDeflate = permessageDeflate
            self.serverNoContextTakeover = serverNoContextTakeover
            self.originPolicy = originPolicy
        }

        /// Accepts requests without `Origin` (non-browser clients) and pages from the listed origins.
        public static func allowingOrigins(_ origins: Set<String>) -> @Sendable (String?) -> Bool {
            let lowered = Set(origins.map { $0.lowercased() })
            return { origin in origin.map { lowered.contains($0.lowercased()) } ?? true }
        }
    }

    /// The outcome of a successful handshake.
    public struct Acceptance: Sendable, Equatable {
        public var acceptKey: String
        public var subprotocol: String?
        public var deflate: WSDeflateParameters?

        /// Headers for the `101 Switching Protocols` response.
        public var responseHeaders: [(name: String, value: String)] {
            var headers: [(name: String, value: String)] = [
                ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", acceptKey),
            ]
            if let subprotocol { headers.append(("Sec-WebSocket-Protocol", subprotocol)) }
            if let deflate { headers.append(("Sec-WebSocket-Extensions", deflate.responseHeaderValue)) }
            return headers
        }

        public static func == (lhs: Acceptance, rhs: Acceptance) -> Bool {
            lhs.acceptKey == rhs.acceptKey && lhs.subprotocol == rhs.subprotocol && lhs.deflate == rhs.deflate
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Validates an upgrade request.
    /// - Parameters:
    ///   - method: the request method (must be GET, §4.1).
    ///   - httpVersion: e.g. "HTTP/1.1"; 1.1 or later is required.
    ///   - headerValues: all values of a header, case-insensitive name (repeated headers allowed).
    public func accept(method: String, httpVersion: String,
                       headerValues: (String) -> [String]) throws(WSHandshakeError) -> Acceptance {
        guard method == "GET" else { throw .methodNotGET(method) }
        guard httpVersion == "HTTP/1.1" || httpVersion.hasPrefix("HTTP/2") || httpVersion.hasPrefix("HTTP/3") else {
            throw .httpVersionTooOld(httpVersion)
        }
        let upgrade = WSHeaderTokens.commaSeparated(headerValues("Upgrade")).map { $0.lowercased() }
        guard upgrade.contains("websocket") else { throw .missingUpgradeWebSocket }
        let connection = WSHeaderTokens.commaSeparated(headerValues("Connection")).map { $0.lowercased() }
        guard connection.contains("upgrade") else { throw .missingConnectionUpgrade }

        // Version before key: a client speaking another version learns which one we speak (§4.4).
        let versions = headerValues("Sec-WebSocket-Version").map { WSHeaderTokens.trimmed($0) }
        guard versions.count == 1, versions[0] == Self.supportedVersion else {
            throw .unsupportedVersion(versions.first)
        }
        let keys = headerValues("Sec-WebSocket-Key").map { WSHeaderTokens.trimmed($0) }
        guard keys.count == 1, let decoded = Data(base64Encoded: keys[0]), decoded.count == 16 else {
            throw .invalidKey(keys.first)
        }
        let origin = headerValues("Origin").first
        guard options.originPolicy(origin) else { throw .originRejected(origin ?? "") }

        let offered = WSHeaderTokens.commaSeparated(headerValues("Sec-WebSocket-Protocol"))
        let subprotocol = options.subprotocols.first { offered.contains($0) }
        let deflate = options.permessageDeflate
            ? WSDeflateParameters.negotiate(offers: headerValues("Sec-WebSocket-Extensions"),
                                            serverNoContextTakeover: options.serverNoContextTakeover)
            : nil
        return Acceptance(acceptKey: Self.acceptKey(for: keys[0]), subprotocol: subprotocol, deflate: deflate)
    }

    /// base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2 step 5.4).
    public static func acceptKey(for key: String) -> String {
        let input = Array((key + keyGUID).utf8)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = input.withUnsafeBytes { raw in
            EVP_Digest(raw.baseAddress, raw.count, &digest, &length, EVP_sha1(), nil)
        }
        // EVP_Digest with SHA-1 only fails if libcrypto is unusable; nothing sensible to return then.
        precondition(ok == 1 && length == 20, "libcrypto SHA-1 failed")
        return Data(digest[0..<20]).base64EncodedString()
    }
}

/// Why an upgrade request was refused, with the HTTP status and headers to answer with.
public enum WSHandshakeError: Error, Equatable, Sendable, CustomStringConvertible {
    case methodNotGET(String)
    case httpVersionTooOld(String)
    case missingUpgradeWebSocket
    case missingConnectionUpgrade
    /// Answered with 426 and `Sec-WebSocket-Version: 13` (§4.4).
    case unsupportedVersion(String?)
    /// The key must be base64 of exactly 16 bytes (§4.1).
    case invalidKey(String?)
    /// The origin hook refused the page (§10.2): 403.
    case originRejected(String)

    public var statusCode: Int {
        switch self {
        case .methodNotGET: return 405
        case .unsupportedVersion: return 426
        case .originRejected: return 403
        default: return 400
        }
    }

    public var responseHeaders: [(name: String, value: String)] {
        switch self {
        case .unsupportedVersion: return [("Sec-WebSocket-Version", WSHandshake.supportedVersion)]
        case .methodNotGET: return [("Allow", "GET")]
        default: return []
        }
    }

    public var description: String {
        switch self {
        case let .methodNotGET(method): return "WebSocket upgrade needs GET, got \(method)"
        case let .httpVersionTooOld(version): return "WebSocket upgrade needs HTTP/1.1, got \(version)"
        case .missingUpgradeWebSocket: return "missing 'Upgrade: websocket'"
        case .missingConnectionUpgrade: return "missing 'Connection: Upgrade'"
        case let .unsupportedVersion(version): return "unsupported Sec-WebSocket-Version \(version ?? "(none)"); this server speaks 13"
        case let .invalidKey(key): return "Sec-WebSocket-Key '\(key ?? "(none)")' is not base64 of 16 bytes"
        case let .originRejected(origin): return "origin '\(origin)' is not allowed"
        }
    }

    public static func == (lhs: WSHandshakeError, rhs: WSHandshakeError) -> Bool { lhs.description == rhs.description }
}
