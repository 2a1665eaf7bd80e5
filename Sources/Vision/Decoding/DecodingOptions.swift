/// Limits checked before any pixel is decoded, and the JPEG downscaling policy.
public struct DecodingOptions: Sendable, Equatable {
    /// Inputs longer than this are refused without being parsed.
    public var maxBytes: Int
    /// Images whose header declares more pixels than this are refused before decoding.
    public var maxPixels: Int
    /// When set, a JPEG is decoded in the DCT domain at 1/2, 1/4 or 1/8 size: the smallest that
    /// keeps the shorter side at or above this many pixels. This is much faster for large photos
    /// but not bit-identical to a full decode followed by a resize (Pillow decodes at full size).
    /// `nil` always decodes at full size.
    public var jpegMinimumShorterSide: Int?

    public init(maxBytes: Int = 20 * 1024 * 1024, maxPixels: Int = 50_000_000, jpegMinimumShorterSide: Int? = 256) {
        self.maxBytes = maxBytes
        self.maxPixels = maxPixels
        self.jpegMinimumShorterSide = jpegMinimumShorterSide
    }
}
