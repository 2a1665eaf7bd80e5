import Foundation

/// Decodes JPEG and PNG bytes into RGB, refusing hostile input with an `ImageError` before doing
/// expensive work. EXIF orientation (a JPEG's APP1 segment, a PNG's eXIf chunk) is applied, as
/// Pillow's `ImageOps.exif_transpose` does.
public struct ImageDecoder: Sendable {
    public var options: DecodingOptions

    public init(options: DecodingOptions = DecodingOptions()) {
        self.options = options
    }

    public func decode(_ data: Data) throws(ImageError) -> RGBImage {
        var result: Result<RGBImage, ImageError>!
        data.withUnsafeBytes { bytes in
            result = Result { () throws(ImageError) -> RGBImage in try decode(bytes) }
        }
        return try result.get()
    }

    public func decode(_ bytes: [UInt8]) throws(ImageError) -> RGBImage {
        var result: Result<RGBImage, ImageError>!
        bytes.withUnsafeBytes { raw in
            result = Result { () throws(ImageError) -> RGBImage in try decode(raw) }
        }
        return try result.get()
    }

    public func decode(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> RGBImage {
        guard bytes.count > 0 else { throw .empty }
        guard bytes.count <= options.maxBytes else { throw .tooManyBytes(count: bytes.count, limit: options.maxBytes) }
        switch ImageFormat.detect(bytes) {
        case .jpeg:
            let image = try JPEGDecoder(options: options).decode(bytes)
            let orientation = ExifOrientation.read(fromJPEG: bytes)
            return orientation.apply(to: image)
        case .png:
            let image: RGBImage
            if let fast = try FastPNGDecoder(options: options).decode(bytes) {
                image = fast
            } else {
                image = try PNGDecoder(options: options).decode(bytes)
            }
            return ExifOrientation.read(fromPNG: bytes).apply(to: image)
        case .unknown:
            throw .unsupportedFormat("unrecognised data (not JPEG or PNG)")
        case let other:
            throw .unsupportedFormat(other.rawValue)
        }
    }
}
