import HTTPServer

/// The optional upload token (`web.uploadToken`): a request carries it as
/// `Authorization: Bearer <token>` or in the `upload_token` cookie (WebSockets from a browser
/// cannot set headers). Compared in constant time; never logged.
public struct UploadAuthorization: Sendable {
    let token: [UInt8]?

    public init(token: String?) {
        self.token = token.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
    }

    public var isRequired: Bool { token != nil }

    public func allows(_ headers: HTTPHeaders) -> Bool {
        guard let token else { return true }
        return Self.presented(in: headers).contains { Self.constantTimeEqual(Array($0.utf8), token) }
    }

    /// The cookie that lets this browser's WebSockets through after an authorised upload.
    public func cookie(secure: Bool = false) -> String? {
        guard let token else { return nil }
        let value = String(decoding: token, as: UTF8.self)
        return "upload_token=\(value); Path=/; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    /// Every token the request offers (a Bearer credential and `upload_token` cookies).
    static func presented(in headers: HTTPHeaders) -> [String] {
        var tokens: [String] = []
        if let authorization = headers["Authorization"] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                tokens.append(parts[1].trimmingCharacters(in: " \t"))
            }
        }
        for header in headers.values(of: "Cookie") {
            for pair in header.split(separator: ";") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2, kv[0].trimmingCharacters(in: " \t") == "upload_token" {
                    tokens.append(kv[1].trimmingCharacters(in: " \t\""))
                }
            }
        }
        return tokens
    }

    /// Equal length and bytes, in time that depends only on the lengths (no early exit on the
    /// first differing byte, which would leak the token a prefix at a time).
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count)
        for index in 0..<max(lhs.count, rhs.count) {
            let a = index < lhs.count ? lhs[index] : 0
            let b = index < rhs.count ? rhs[index] : 0
            difference |= a ^ b
        }
        return difference == 0 && lhs.count == rhs.count
    }
}
