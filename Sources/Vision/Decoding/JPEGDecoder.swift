import CJPEG

/// JPEG through libjpeg-turbo's libjpeg API (our C surface in CShims/CJPEG), with DCT-domain
/// downscaling and, when asked, only the columns and rows a caller needs.
struct JPEGDecoder {
    var options: DecodingOptions

    /// A multi-scan (progressive or sequential) stream may have this many scans at most
    /// (libjpeg-turbo's TurboJPEG API uses the same limit); each scan re-reads every coefficient,
    /// so a crafted stream with thousands of scans would burn CPU on a small file.
    static let maxScans: Int32 = 500

    /// Pixels decoded around a wanted part and thrown away. libjpeg-turbo's fancy upsampling
    /// (what Pillow uses) reads the neighbouring chroma samples, and at the edge of a cropped span
    /// or on the first row after skipped rows it has no neighbours and replicates the edge, so
    /// those pixels differ from a whole decode's. One pixel of margin removed every difference on
    /// the test images (4:2:0, 4:2:2, progressive, photos); 8 is a safe bound at no real cost.
    static let contextMargin = 8

    /// Decodes `bytes`; `needing`, when given, receives the (scaled) size as stored, before any
    /// EXIF orientation, and answers the part wanted, which is then all that is returned. The
    /// whole stream is read either way, so damage outside the wanted part is still an error.
    func decode(_ bytes: UnsafeRawBufferPointer, needing: ((Int, Int) -> PixelRegion)? = nil) throws(ImageError) -> RGBImage {
        try withDecoder(bytes) { decoder, header throws(ImageError) in
            try decode(decoder, header: header, needing: needing)
        }
    }

    /// Entropy-decodes the stream and discards the coefficients (see `ImageDecoder.decompressOnly`).
    func decompressOnly(_ bytes: UnsafeRawBufferPointer) throws(ImageError) {
        try withDecoder(bytes) { decoder, _ throws(ImageError) in
            guard ec_jpeg_decode_entropy_only(decoder) == 0 else { throw Self.failure(decoder) }
        }
    }

    /// Runs `body` with a decoder over `bytes` whose header has been read, and destroys it after.
    private func withDecoder<Answer>(
        _ bytes: UnsafeRawBufferPointer, _ body: (OpaquePointer, ECJPEGHeader) throws(ImageError) -> Answer
    ) throws(ImageError) -> Answer {
        let jpeg = bytes.bindMemory(to: UInt8.self)
        guard let decoder = ec_jpeg_create(jpeg.baseAddress, jpeg.count, Self.maxScans) else {
            throw .corrupt(format: .jpeg, reason: "out of memory creating the decoder")
        }
        defer { ec_jpeg_destroy(decoder) }
        var header = ECJPEGHeader()
        guard ec_jpeg_read_header(decoder, &header) == 0 else { throw Self.failure(decoder) }
        return try body(decoder, header)
    }

    /// libjpeg's own message for what just failed.
    private static func failure(_ decoder: OpaquePointer) -> ImageError {
        .corrupt(format: .jpeg, reason: String(cString: ec_jpeg_message(decoder)))
    }

    private func decode(_ decoder: OpaquePointer, header: ECJPEGHeader,
                        needing: ((Int, Int) -> PixelRegion)?) throws(ImageError) -> RGBImage {
        let width = Int(header.width), height = Int(header.height)
        guard width > 0, height > 0 else { throw .corrupt(format: .jpeg, reason: "no image frame") }
        guard width * height <= options.maxPixels else {
            throw .tooLarge(width: width, height: height, limit: options.maxPixels)
        }
        let denominator = Self.scaleDenominator(width: width, height: height, minimumShorterSide: options.jpegMinimumShorterSide)
        let scaledWidth = Self.scaled(width, by: denominator), scaledHeight = Self.scaled(height, by: denominator)
        let wanted = needing?(scaledWidth, scaledHeight).clamped(width: scaledWidth, height: scaledHeight)
            ?? .whole(width: scaledWidth, height: scaledHeight)
        guard wanted.width > 0, wanted.height > 0 else { throw .corrupt(format: .jpeg, reason: "empty region requested") }

        // The span handed to libjpeg: the wanted part plus context (libjpeg widens it to whole blocks).
        let span = PixelRegion(x: wanted.x - Self.contextMargin, y: wanted.y - Self.contextMargin,
                               width: wanted.width + 2 * Self.contextMargin, height: wanted.height + Self.contextMargin)
            .clamped(width: scaledWidth, height: scaledHeight)
        var x = UInt32(span.x), columns = UInt32(span.width)
        var outputWidth: UInt32 = 0, outputHeight: UInt32 = 0
        guard ec_jpeg_start(decoder, UInt32(denominator), &x, &columns, &outputWidth, &outputHeight) == 0 else { throw Self.failure(decoder) }
        // Our scaled size must be libjpeg's: the caller's region was computed from it.
        guard Int(outputWidth) == scaledWidth, Int(outputHeight) == scaledHeight,
              Int(x) <= wanted.x, Int(x) + Int(columns) >= wanted.x + wanted.width else {
            throw .corrupt(format: .jpeg, reason: "libjpeg decodes \(columns) columns from \(x) of \(outputWidth)x\(outputHeight), "
                           + "expected \(wanted) of \(scaledWidth)x\(scaledHeight)")
        }
        let channels = header.isCMYK != 0 ? 4 : 3
        var status: Int32 = 0
        // Not zero-filled first: the decoder writes every byte, and on failure the buffer is dropped.
        var decoded = [UInt8](unsafeUninitializedCapacity: wanted.width * wanted.height * channels) { buffer, initialized in
            status = ec_jpeg_read_rows(decoder, UInt32(span.y), UInt32(wanted.y - span.y), UInt32(wanted.height),
                                       UInt32(wanted.x) - x, UInt32(wanted.width), buffer.baseAddress, wanted.width * channels)
            initialized = buffer.count
        }
        guard status == 0 else { throw Self.failure(decoder) }
        if channels == 4 { decoded = Self.convertInvertedCMYKToRGB(decoded) }
        return RGBImage(width: scaledWidth, height: scaledHeight, region: wanted, pixels: decoded)
    }

    /// libjpeg's size at 1/denominator: rounded up.
    static func scaled(_ dimension: Int, by denominator: Int) -> Int {
        (dimension + denominator - 1) / denominator
    }

    /// The largest of 8, 4, 2 (else 1) whose scaled shorter side stays >= the minimum.
    static func scaleDenominator(width: Int, height: Int, minimumShorterSide: Int?) -> Int {
        guard let minimum = minimumShorterSide else { return 1 }
        let shorter = min(width, height)
        return [8, 4, 2].first { scaled(shorter, by: $0) >= minimum } ?? 1
    }

    /// CMYK JPEGs are stored inverted (Adobe/Photoshop convention, which Pillow assumes for every
    /// CMYK JPEG: rawmode "CMYK;I"). After un-inverting, Pillow's CMYK->RGB is
    /// `R = (255-K) - C*(255-K)/255` with its MULDIV255 rounding; reproduce it exactly.
    static func convertInvertedCMYKToRGB(_ cmyk: [UInt8]) -> [UInt8] {
        let pixelCount = cmyk.count / 4
        return [UInt8](unsafeUninitializedCapacity: pixelCount * 3) { rgb, initialized in
            cmyk.withUnsafeBufferPointer { source in
                for index in 0..<pixelCount {
                    let notK = Int(source[index * 4 + 3])  // inverted K is 255 - K
                    for channel in 0..<3 {
                        let c = 255 - Int(source[index * 4 + channel])
                        let product = c * notK + 128
                        let scaled = ((product >> 8) + product) >> 8
                        rgb[index * 3 + channel] = UInt8(clamping: notK - scaled)
                    }
                }
            }
            initialized = pixelCount * 3
        }
    }
}
