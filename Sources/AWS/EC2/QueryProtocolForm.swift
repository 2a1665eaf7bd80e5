import Foundation

/// A request body in the AWS Query protocol (EC2, IAM, STS): ordered `name=value` pairs,
/// form-encoded, with lists flattened as `Name.1`, `Name.2`, … and structures as `Name.Field`.
public struct QueryProtocolForm: Sendable, Equatable {
    public private(set) var parameters: [(name: String, value: String)]

    /// Starts a form for `action` at API `version` (EC2: "2016-11-15", IAM: "2010-05-08").
    public init(action: String, version: String) {
        parameters = [("Action", action), ("Version", version)]
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.parameters.elementsEqual(rhs.parameters) { $0.name == $1.name && $0.value == $1.value }
    }

    public mutating func add(_ name: String, _ value: String) { parameters.append((name, value)) }

    /// Adds the value when present; absent parameters are simply not sent.
    public mutating func add(_ name: String, _ value: String?) {
        if let value { parameters.append((name, value)) }
    }

    /// Adds `prefix.1`, `prefix.2`, … (Query lists are 1-based).
    public mutating func addList(_ prefix: String, _ values: [String]) {
        for (index, value) in values.enumerated() { parameters.append(("\(prefix).\(index + 1)", value)) }
    }

    /// The `application/x-www-form-urlencoded` body. Everything but RFC 3986 unreserved
    /// characters is percent-encoded (space as %20, not '+'), the encoding AWS documents for
    /// SigV4 and the one every AWS Query endpoint accepts.
    public var encoded: String {
        parameters.map { "\(Self.percentEncode($0.name))=\(Self.percentEncode($0.value))" }.joined(separator: "&")
    }

    /// The request: `POST /` with the form as the body.
    public func request() -> AWSRequest {
        AWSRequest(method: "POST", path: "/",
                   headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
                   body: .data(Data(encoded.utf8)))
    }

    static func percentEncode(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E:
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
            }
        }
        return result
    }
}
