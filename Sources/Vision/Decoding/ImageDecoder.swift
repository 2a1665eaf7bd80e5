import Foundation

/// Decodes JPEG and PNG bytes into RGB, refusing hostile input with an `ImageError` before doing
/// expensive work. EXIF orientation (a JPEG's APP1 segment, a PNG's eXIf chunk) is applied, as
/// Pillow's `ImageOps.exif_transpose` does.
public struct ImageDecoder: Sendable {
    public var options: DecodingOptions

    public init(options: DecodingOptions = DecodingOptions()) {
        self.options = options
    }

    public func decode(_ data: Data, needing: ((Int, Int) -> PixelRegion)? = nil) throws(ImageError) -> RGBImage {
        var result: Result<RGBImage, ImageError>!
        data.withUnsafeBytes { bytes in
            result = Result { () throws(ImageError) -> RGBImage in try decode(bytes, needing: needing) }
        }
        return try result.get()
    }

    public func decode(_ bytes: [UInt8], needing: ((Int, Int) -> PixelRegion)? = nil) throws(ImageError) -> RGBImage {
        var result: Result<RGBImage, ImageError>!
        bytes.withUnsafeBytes { raw in
            result = Result { () throws(ImageError) -> RGBImage in try decode(raw, needing: needing) }
        }
        return try result.get()
    }

    /// Decodes `bytes`. `needing`, when given, is asked with the upright decoded size (after any
    /// DCT downscaling and EXIF orientation) which part of the image the caller will read
    /// (`Preprocessor.sourceRegion` for a centre crop); a JPEG then decodes little more than
    /// that part, and the image returned holds at least it (see `RGBImage.region`). PNGs are
    /// always decoded whole: their rows depend on the rows above.
    public func decode(_ bytes: UnsafeRawBufferPointer, needing: ((Int, Int) -> PixelRegion)? = nil) throws(ImageError) -> RGBImage {
        try checkSize(bytes)
        switch ImageFormat.detect(bytes) {
        case .jpeg:
            let orientation = ExifOrientation.read(fromJPEG: bytes)
            // The caller speaks of the upright image; the decoder of the image as stored.
            let storedNeed = needing.map { needing in
                { (width: Int, height: Int) -> PixelRegion in
                    let upright = orientation.orientedSize(width: width, height: height)
                    let region = needing(upright.width, upright.height).clamped(width: upright.width, height: upright.height)
                    return orientation.inverse.map(region, width: upright.width, height: upright.height)
                }
            }
            return orientation.apply(to: try JPEGDecoder(options: options).decode(bytes, needing: storedNeed))
        case .png:
            let image: RGBImage
            if let fast = try FastPNGDecoder(options: options).decode(bytes) {
                image = fast
            } else {
                image = try PNGDecoder(options: options).decode(bytes)
            }
            return ExifOrientation.read(fromPNG: bytes).apply(to: image)
        case let other:
            throw Self.unsupported(other)
        }
    }

    /// Runs only the entropy-coded stage of decoding (JPEG: Huffman or arithmetic decoding to DCT
    /// coefficients; PNG: inflating the image data) and discards the result. No decoder that
    /// gives the same pixels can skip this work, so benchmarks use it as a floor.
    public func decompressOnly(_ bytes: UnsafeRawBufferPointer) throws(ImageError) {
        try checkSize(bytes)
        switch ImageFormat.detect(bytes) {
        case .jpeg:
            try JPEGDecoder(options: options).decompressOnly(bytes)
        case .png:
            guard try FastPNGDecoder(options: options).inflateOnly(bytes) else {
                throw .unsupportedFormat("a PNG outside the fast decoder's forms (16-bit, interlaced or irregular)")
            }
        case let other:
            throw Self.unsupported(other)
        }
    }

    private func checkSize(_ bytes: UnsafeRawBufferPointer) throws(ImageError) {
        guard bytes.count > 0 else { throw .empty }
        guard bytes.count <= options.maxBytes else { throw .tooManyBytes(count: bytes.count, limit: options.maxBytes) }
    }

    private static func unsupported(_ format: ImageFormat) -> ImageError {
        format == .unknown ? .unsupportedFormat("unrecognised data (not JPEG or PNG)") : .unsupportedFormat(format.rawValue)
    }
}
