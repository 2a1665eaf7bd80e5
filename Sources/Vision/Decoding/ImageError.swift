/// Why an image was refused. Every case is a final verdict on the bytes (retrying will not help).
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Zero bytes.
    case empty
    /// More bytes than `limit`; refused before reading.
    case tooManyBytes(count: Int, limit: Int)
    /// The header declares more pixels than `limit` (a decompression bomb, or just too big);
    /// refused before decoding.
    case tooLarge(width: Int, height: Int, limit: Int)
    /// Recognised but not supported (GIF, WebP, ...) or not an image at all.
    case unsupportedFormat(String)
    /// A JPEG or PNG that is truncated or damaged; `reason` is the decoder's message.
    case corrupt(format: ImageFormat, reason: String)

    public var description: String {
        switch self {
        case .empty: return "empty input (0 bytes)"
        case .tooManyBytes(let count, let limit): return "input too large: \(count) bytes, limit \(limit)"
        case .tooLarge(let width, let height, let limit):
            return "image too large: \(width)x\(height) = \(width * height) pixels, limit \(limit)"
        case .unsupportedFormat(let format): return "unsupported image format: \(format); send JPEG or PNG"
        case .corrupt(let format, let reason): return "corrupt or truncated \(format.rawValue): \(reason)"
        }
    }
}
