/// A decoded image: 8-bit RGB, interleaved, rows top to bottom without padding.
public struct RGBImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// `width * height * 3` bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "RGB buffer size must be width*height*3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
