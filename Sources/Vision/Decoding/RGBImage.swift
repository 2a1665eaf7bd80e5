/// A decoded image: 8-bit RGB, interleaved, rows top to bottom without padding.
///
/// A decoder asked for only part of an image (see `ImageDecoder.decode(_:needing:)`) holds just
/// that part: `width` and `height` stay those of the whole image, and `region` says which pixels
/// `pixels` covers.
public struct RGBImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// The part of the image held in `pixels`; all of it unless a decoder was asked for less.
    public var region: PixelRegion
    /// `region.width * region.height * 3` bytes.
    public var pixels: [UInt8]

    /// A whole image.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        self.init(width: width, height: height, region: .whole(width: width, height: height), pixels: pixels)
    }

    /// Part of a `width` x `height` image.
    public init(width: Int, height: Int, region: PixelRegion, pixels: [UInt8]) {
        precondition(PixelRegion.whole(width: width, height: height).contains(region), "region outside the image")
        precondition(pixels.count == region.width * region.height * 3, "RGB buffer size must be region width*height*3")
        self.width = width
        self.height = height
        self.region = region
        self.pixels = pixels
    }

    public var isWhole: Bool { region == .whole(width: width, height: height) }
}
