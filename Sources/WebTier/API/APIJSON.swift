import Foundation

/// The one JSON encoding of every API response and WebSocket event: sorted keys (equal payloads
/// give equal bytes, which tests and caches rely on), slashes unescaped, absent optionals omitted.
public enum APIJSON {
    public static func encode<Payload: Encodable>(_ payload: Payload) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(payload)
    }

    public static func encodeString<Payload: Encodable>(_ payload: Payload) throws -> String {
        String(decoding: try encode(payload), as: UTF8.self)
    }

    public static func decode<Payload: Decodable>(_ type: Payload.Type, from data: Data) throws -> Payload {
        try JSONDecoder().decode(type, from: data)
    }

    /// Milliseconds since 1970: how every API timestamp travels (JavaScript's `Date.now()` unit).
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
