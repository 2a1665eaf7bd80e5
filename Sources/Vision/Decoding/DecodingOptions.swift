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
    ///
    /// The default, 512 (twice the 256 resize), leaves the antialiased resize at least a 2x
    /// reduction to do: measured on the test photos, scaling right down to 256 moved some
    /// probabilities by up to 0.15 (top-5 sets changed), while 512 keeps them within 0.02.
    public var jpegMinimumShorterSide: Int?

    /// The default `jpegMinimumShorterSide` for a given resize target.
    public static func defaultJPEGMinimumShorterSide(resizeShorterSide: Int) -> Int { 2 * resizeShorterSide }

    public init(maxBytes: Int = 20 * 1024 * 1024, maxPixels: Int = 50_000_000, jpegMinimumShorterSide: Int? = 512) {
        self.maxBytes = maxBytes
        self.maxPixels = maxPixels
        self.jpegMinimumShorterSide = jpegMinimumShorterSide
    }
}
