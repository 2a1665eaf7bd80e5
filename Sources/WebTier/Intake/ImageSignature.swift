/// The image formats the classifier decodes, recognised by their leading bytes (magic numbers),
/// because a file's extension and declared content type are whatever the client says.
public enum ImageSignature: String, Sendable, Equatable {
    case jpeg
    case png

    /// JPEG: SOI marker followed by the first marker's 0xFF (ITU T.81 B.1.1.2).
    static let jpegPrefix: [UInt8] = [0xFF, 0xD8, 0xFF]
    /// PNG: the eight-byte signature (PNG spec §5.2).
    static let pngPrefix: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Bytes needed to decide.
    public static let prefixLength = 8

    /// The format whose signature `bytes` starts with, or nil.
    public static func detect(_ bytes: some Collection<UInt8>) -> ImageSignature? {
        if bytes.starts(with: pngPrefix) { return .png }
        if bytes.starts(with: jpegPrefix) { return .jpeg }
        return nil
    }

    /// The format an extension (lowercase, no dot) names, if it names one of ours.
    public static func forExtension(_ fileExtension: String) -> ImageSignature? {
        switch fileExtension {
        case "jpg", "jpeg", "jpe", "jfif": return .jpeg
        case "png": return .png
        default: return nil
        }
    }

    public var contentType: String {
        switch self {
        case .jpeg: return "image/jpeg"
        case .png: return "image/png"
        }
    }
}
