/// permessage-deflate negotiation (RFC 7692 §5, §7.1): which offer we accept and what we answer.
///
/// Pure value logic over header text; the codec that uses the result is `WSDeflater`/`WSInflater`.
public struct WSDeflateParameters: Sendable, Equatable {
    /// We reset our compressor after every message (saves per-connection memory and lets one
    /// compressed broadcast frame be shared by all connections). §7.1.1.1 allows the server to
    /// declare this even when the client did not ask.
    public var serverNoContextTakeover: Bool
    /// The client promised to reset its compressor (we could then drop our inflate window).
    public var clientNoContextTakeover: Bool
    /// LZ77 window for our compressor (client's `server_max_window_bits`, 9-15; see `negotiate`).
    public var serverMaxWindowBits: Int
    /// The window the client compresses with; we always inflate with 15, which reads any smaller window.
    public var clientMaxWindowBits: Int

    public init(serverNoContextTakeover: Bool = true, clientNoContextTakeover: Bool = false,
                serverMaxWindowBits: Int = 15, clientMaxWindowBits: Int = 15) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
    }

    /// The `Sec-WebSocket-Extensions` value of our response.
    public var responseHeaderValue: String {
        var parts = ["permessage-deflate"]
        if serverNoContextTakeover { parts.append("server_no_context_takeover") }
        if clientNoContextTakeover { parts.append("client_no_context_takeover") }
        if serverMaxWindowBits < 15 { parts.append("server_max_window_bits=\(serverMaxWindowBits)") }
        return parts.joined(separator: "; ")
    }

    /// Picks the first acceptable permessage-deflate offer among the `Sec-WebSocket-Extensions`
    /// header values, or nil (then the connection runs without compression).
    ///
    /// An offer is declined when a parameter is unknown, repeated or out of range (§7.1).
    /// `server_max_window_bits=8` is declined too: zlib cannot make raw deflate streams with an
    /// 8-bit window, and using 9 would break the client's promise.
    public static func negotiate(offers headerValues: [String], serverNoContextTakeover: Bool = true) -> WSDeflateParameters? {
        for offer in WSHeaderTokens.extensionOffers(headerValues) where offer.name == "permessage-deflate" {
            var result = WSDeflateParameters(serverNoContextTakeover: serverNoContextTakeover)
            var seen = Set<String>()
            var acceptable = true
            for (name, value) in offer.parameters {
                guard seen.insert(name).inserted else { acceptable = false; break }
                switch name {
                case "server_no_context_takeover":
                    if value != nil { acceptable = false }
                    result.serverNoContextTakeover = true
                case "client_no_context_takeover":
                    if value != nil { acceptable = false }
                    result.clientNoContextTakeover = true
                case "server_max_window_bits":
                    guard let bits = value.flatMap(Int.init), (9...15).contains(bits) else { acceptable = false; break }
                    result.serverMaxWindowBits = bits
                case "client_max_window_bits":
                    // A bare parameter only says the client supports the hint (§7.1.2.2).
                    if let value {
                        guard let bits = Int(value), (8...15).contains(bits) else { acceptable = false; break }
                        result.clientMaxWindowBits = bits
                    }
                default:
                    acceptable = false
                }
                if !acceptable { break }
            }
            if acceptable { return result }
        }
        return nil
    }
}

/// Splitting of the comma/semicolon header grammar used by WebSocket headers (RFC 6455 §9.1).
public enum WSHeaderTokens {
    /// Comma-separated tokens across all values of a header, trimmed, empty ones dropped.
    public static func commaSeparated(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }
            .map { trimmed($0) }
            .filter { !$0.isEmpty }
    }

    /// Extension offers: `name; param; param=value, name2 ...` with optional quoted values.
    public static func extensionOffers(_ values: [String]) -> [(name: String, parameters: [(String, String?)])] {
        commaSeparated(values).map { offer in
            let pieces = offer.split(separator: ";").map { trimmed($0) }
            let name = pieces.first?.lowercased() ?? ""
            let parameters: [(String, String?)] = pieces.dropFirst().filter { !$0.isEmpty }.map { piece in
                guard let equals = piece.firstIndex(of: "=") else { return (piece.lowercased(), nil) }
                let key = trimmed(piece[..<equals]).lowercased()
                var value = trimmed(piece[piece.index(after: equals)...])
                if value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") {
                    value = String(value.dropFirst().dropLast())
                }
                return (key, value)
            }
            return (name, parameters)
        }
    }
}

extension WSHeaderTokens {
    /// Strips optional whitespace (RFC 9110 OWS: spaces and tabs) from both ends.
    static func trimmed<Text: StringProtocol>(_ text: Text) -> String {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = text.firstIndex(where: { !isOWS($0) }),
              let end = text.lastIndex(where: { !isOWS($0) }) else { return "" }
        return String(text[start...end])
    }
}
