import CPNG

/// PNG through libpng's simplified `png_image_*` API (no setjmp crosses into Swift).
struct PNGDecoder {
    var options: DecodingOptions

    // png.h format bits (the composite macros are not imported into Swift).
    private static let formatAlpha: UInt32 = 0x01
    private static let formatColor: UInt32 = 0x02
    /// PNG_IMAGE_FLAG_16BIT_sRGB: treat 16-bit samples as sRGB-encoded like Pillow (which keeps the
    /// high byte) instead of linear light.
    private static let flag16BitSRGB: UInt32 = 0x04

    func decode(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
            throw .corrupt(format: .png, reason: Self.message(&image))
        }
        defer { png_image_free(&image) }
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0 else { throw .corrupt(format: .png, reason: "zero-sized image") }
        guard width * height <= options.maxPixels else {
            throw .tooLarge(width: width, height: height, limit: options.maxPixels)
        }
        // Pillow's convert("RGB") drops alpha rather than compositing: read RGBA and drop it, so that
        // libpng does not blend onto a background.
        let hasAlpha = image.format & Self.formatAlpha != 0
        image.format = hasAlpha ? (Self.formatColor | Self.formatAlpha) : Self.formatColor
        image.flags |= Self.flag16BitSRGB
        let channels = hasAlpha ? 4 : 3
        var decoded = [UInt8](repeating: 0, count: width * height * channels)
        let finished = decoded.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, nil, buffer.baseAddress, Int32(width * channels), nil)
        }
        guard finished != 0 else { throw .corrupt(format: .png, reason: Self.message(&image)) }
        if hasAlpha { decoded = Self.dropAlpha(decoded, pixelCount: width * height) }
        return RGBImage(width: width, height: height, pixels: decoded)
    }

    static func dropAlpha(_ rgba: [UInt8], pixelCount: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: pixelCount * 3) { rgb, initialized in
            rgba.withUnsafeBufferPointer { source in
                for index in 0..<pixelCount {
                    rgb[index * 3] = source[index * 4]
                    rgb[index * 3 + 1] = source[index * 4 + 1]
                    rgb[index * 3 + 2] = source[index * 4 + 2]
                }
            }
            initialized = pixelCount * 3
        }
    }

    static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
