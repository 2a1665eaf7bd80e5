/// A rectangle of pixels within an image, in pixel units from its top-left corner.
public struct PixelRegion: Sendable, Equatable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// All of a `width` x `height` image.
    public static func whole(width: Int, height: Int) -> PixelRegion {
        PixelRegion(x: 0, y: 0, width: width, height: height)
    }

    public var rows: Range<Int> { y..<(y + height) }

    public func contains(_ other: PixelRegion) -> Bool {
        other.x >= x && other.y >= y && other.x + other.width <= x + width && other.y + other.height <= y + height
    }

    /// This region limited to a `width` x `height` image.
    public func clamped(width: Int, height: Int) -> PixelRegion {
        let left = min(max(x, 0), width), top = min(max(y, 0), height)
        let right = min(max(x + self.width, left), width), bottom = min(max(y + self.height, top), height)
        return PixelRegion(x: left, y: top, width: right - left, height: bottom - top)
    }

    public var description: String { "\(width)x\(height) at (\(x), \(y))" }
}
