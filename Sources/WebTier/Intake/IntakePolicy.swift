import Pipeline

/// What the web tier accepts, from `WebSettings`: the extension allow-list, the format check and
/// the size and count limits. Pure decisions, so each rule is tested on its own.
public struct IntakePolicy: Sendable, Equatable {
    /// Lowercase, without the dot.
    public var allowedExtensions: Set<String>
    public var maxFileBytes: Int
    public var maxRequestBytes: Int
    public var maxFilesPerRequest: Int

    public init(allowedExtensions: Set<String>, maxFileBytes: Int, maxRequestBytes: Int, maxFilesPerRequest: Int) {
        self.allowedExtensions = Set(allowedExtensions.map { $0.lowercased() })
        self.maxFileBytes = maxFileBytes
        self.maxRequestBytes = maxRequestBytes
        self.maxFilesPerRequest = maxFilesPerRequest
    }

    public init(_ web: WebSettings) {
        self.init(allowedExtensions: Set(web.allowedExtensions), maxFileBytes: web.maxFileBytes,
                  maxRequestBytes: web.maxRequestBytes, maxFilesPerRequest: web.maxFilesPerRequest)
    }

    /// The extension of `fileName`, lowercased, or "" when it has none.
    public static func fileExtension(of fileName: String) -> String {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return "" }
        return fileName[fileName.index(after: dot)...].lowercased()
    }

    /// Why a client's file name is refused, or nil: control characters or a `..` path segment
    /// mean a hostile or broken client (browsers send a plain base name), so the file is refused
    /// rather than quietly renamed. A Windows path (`C:\photos\cat.jpg`) is fine: only its
    /// last component is kept.
    public static func nameRefusal(_ rawName: String) -> String? {
        if rawName.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "the file name contains control characters"
        }
        let segments = rawName.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        if segments.contains(where: { $0 == ".." }) { return "the file name contains a parent-directory (..) segment" }
        return nil
    }

    /// Why a file is refused, or nil when it is acceptable. `leadingBytes` are the file's first
    /// bytes (at least `ImageSignature.prefixLength` when the file is that long).
    public func refusal(fileName: String, size: Int, leadingBytes: [UInt8]) -> String? {
        let fileExtension = Self.fileExtension(of: fileName)
        guard allowedExtensions.contains(fileExtension) else {
            let allowed = allowedExtensions.sorted().map { ".\($0)" }.joined(separator: ", ")
            return fileExtension.isEmpty
                ? "the file has no extension (accepted: \(allowed))"
                : "extension .\(fileExtension) is not accepted (accepted: \(allowed))"
        }
        guard size > 0 else { return "the file is empty" }
        guard size <= maxFileBytes else { return "the file is larger than the limit of \(maxFileBytes) bytes" }
        guard let detected = ImageSignature.detect(leadingBytes) else {
            return "the content is not a JPEG or PNG image (its first bytes do not match either format)"
        }
        if let named = ImageSignature.forExtension(fileExtension), named != detected {
            return "the content is \(detected.rawValue.uppercased()) but the extension .\(fileExtension) says \(named.rawValue.uppercased())"
        }
        return nil
    }
}
