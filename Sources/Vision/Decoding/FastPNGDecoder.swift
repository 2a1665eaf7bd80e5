import CDeflate

/// A fast path for the common PNGs (8-bit samples, not interlaced; grey, grey+alpha, RGB, RGBA,
/// palette): chunks are walked here, the image data is inflated in one call by libdeflate and the
/// rows are unfiltered in Swift, writing RGB directly (alpha dropped as Pillow's convert("RGB")
/// does). Anything else, and anything irregular (bad CRC, inflate error, unknown filter, palette
/// index out of range), returns nil so that libpng decides and reports it.
struct FastPNGDecoder {
    var options: DecodingOptions

    private struct Header {
        var width: Int
        var height: Int
        var colorType: UInt8
        /// Bytes per pixel in the file.
        var channels: Int {
            switch colorType {
            case 0, 3: return 1
            case 4: return 2
            case 2: return 3
            default: return 4
            }
        }
    }

    func decode(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> RGBImage? {
        guard var inflated = try inflate(bytes) else { return nil }
        return Self.unfilter(&inflated.raw, header: inflated.header, palette: inflated.palette)
    }

    /// Inflates the image data and stops there (see `ImageDecoder.decompressOnly`); false when
    /// this decoder would leave the image to libpng.
    func inflateOnly(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> Bool {
        try inflate(bytes) != nil
    }

    /// Walks the chunks and inflates the image data: the filtered rows, each after its filter byte.
    private func inflate(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> (header: Header, palette: [UInt8], raw: [UInt8])? {
        var offset = 8
        var header: Header?
        var palette: [UInt8] = []
        var dataRanges: [Range<Int>] = []
        var dataSize = 0
        func u32(_ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        chunks: while true {
            guard offset + 12 <= bytes.count else { return nil }
            let length = u32(offset)
            guard length <= bytes.count - offset - 12 else { return nil }
            let type = (bytes[offset + 4], bytes[offset + 5], bytes[offset + 6], bytes[offset + 7])
            let data = (offset + 8)..<(offset + 8 + length)
            let stored = UInt32(truncatingIfNeeded: u32(data.upperBound))
            let computed = libdeflate_crc32(0, bytes.baseAddress! + offset + 4, length + 4)
            guard stored == computed else { return nil }
            switch type {
            case (0x49, 0x48, 0x44, 0x52):  // IHDR
                guard header == nil, length == 13, offset == 8 else { return nil }
                let width = u32(data.lowerBound), height = u32(data.lowerBound + 4)
                let depth = bytes[data.lowerBound + 8], colorType = bytes[data.lowerBound + 9]
                let interlace = bytes[data.lowerBound + 12]
                guard width > 0, height > 0, depth == 8, interlace == 0, [0, 2, 3, 4, 6].contains(colorType),
                      bytes[data.lowerBound + 10] == 0, bytes[data.lowerBound + 11] == 0 else { return nil }
                // Refuse a bomb before inflating anything.
                guard width <= options.maxPixels, height <= options.maxPixels, width * height <= options.maxPixels else {
                    throw .tooLarge(width: width, height: height, limit: options.maxPixels)
                }
                header = Header(width: width, height: height, colorType: colorType)
            case (0x50, 0x4C, 0x54, 0x45):  // PLTE
                guard length % 3 == 0, length <= 768 else { return nil }
                palette = Array(UnsafeRawBufferPointer(rebasing: bytes[data]))
            case (0x49, 0x44, 0x41, 0x54):  // IDAT
                guard header != nil else { return nil }
                dataRanges.append(data)
                dataSize += length
            case (0x49, 0x45, 0x4E, 0x44):  // IEND
                break chunks
            default:
                guard type.0 & 0x20 != 0 else { return nil }  // an unknown critical chunk: let libpng judge
            }
            offset = data.upperBound + 4
        }
        guard let header, !dataRanges.isEmpty else { return nil }
        if header.colorType == 3 && palette.isEmpty { return nil }
        let rowBytes = header.width * header.channels
        let (expected, overflow) = (rowBytes + 1).multipliedReportingOverflow(by: header.height)
        guard !overflow else { return nil }

        var compressed = [UInt8]()
        compressed.reserveCapacity(dataSize)
        for range in dataRanges { compressed.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range])) }
        var raw = [UInt8](repeating: 0, count: expected + Self.rowSlack)
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var produced = 0
        let result = compressed.withUnsafeBytes { input in
            raw.withUnsafeMutableBytes { output in
                libdeflate_zlib_decompress(decompressor, input.baseAddress, input.count, output.baseAddress, output.count, &produced)
            }
        }
        guard result == LIBDEFLATE_SUCCESS, produced == expected else { return nil }
        return (header, palette, raw)
    }

    /// The Paeth predictor (PNG spec 9.4) in its branch-light form: p - a = b - c, p - b = a - c,
    /// p - c = a + b - 2c.
    @inline(__always)
    private static func paeth(_ a: Int32, _ b: Int32, _ c: Int32) -> Int32 {
        let distanceA = abs(b &- c), distanceB = abs(a &- c), distanceC = abs(a &+ b &- c &- c)
        return (distanceA <= distanceB && distanceA <= distanceC) ? a : (distanceB <= distanceC ? b : c)
    }

    /// Undoes the Paeth filter. For 3- and 4-byte pixels a pixel's channels go through the
    /// predictor together as SIMD lanes: the left-to-right dependency leaves no parallelism across
    /// pixels, so lanes are where the speed is (most photos' PNG rows use this filter, and it
    /// dominated decoding after inflate). Pixels are read as four bytes (hence `rowSlack` bytes
    /// after the last row) but an RGB pixel is written as three: a four-byte store overlapping the
    /// next pixel's load defeats store-to-load forwarding and cost more than the whole predictor.
    private static func unpaeth(row: UnsafeMutablePointer<UInt8>, prior: UnsafeMutablePointer<UInt8>,
                                count: Int, bytesPerPixel: Int) {
        guard bytesPerPixel >= 3 else {
            for i in 0..<bytesPerPixel { row[i] &+= prior[i] }
            for i in bytesPerPixel..<max(count, bytesPerPixel) {
                let predicted = paeth(Int32(row[i - bytesPerPixel]), Int32(prior[i]), Int32(prior[i - bytesPerPixel]))
                row[i] &+= UInt8(truncatingIfNeeded: predicted)
            }
            return
        }
        var left = SIMD4<Int16>(repeating: 0), upperLeft = SIMD4<Int16>(repeating: 0)
        var index = 0
        while index < count {
            let filtered = load(row + index), up = load(prior + index)
            let towardUp = up &- upperLeft, towardLeft = left &- upperLeft
            let distanceA = pointwiseMax(towardUp, 0 &- towardUp)
            let distanceB = pointwiseMax(towardLeft, 0 &- towardLeft)
            let sum = towardUp &+ towardLeft
            let distanceC = pointwiseMax(sum, 0 &- sum)
            let predicted = upperLeft
                .replacing(with: up, where: distanceB .<= distanceC)
                .replacing(with: left, where: (distanceA .<= distanceB) .& (distanceA .<= distanceC))
            let value = (filtered &+ predicted) & 0xFF
            let bytes = SIMD4<UInt8>(truncatingIfNeeded: value)
            if bytesPerPixel == 4 {
                UnsafeMutableRawPointer(row + index).storeBytes(of: bytes, as: SIMD4<UInt8>.self)
            } else {
                row[index] = bytes[0]; row[index + 1] = bytes[1]; row[index + 2] = bytes[2]
            }
            left = value
            upperLeft = up
            index += bytesPerPixel
        }
    }

    @inline(__always)
    private static func load(_ pointer: UnsafeMutablePointer<UInt8>) -> SIMD4<Int16> {
        SIMD4<Int16>(truncatingIfNeeded: UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<UInt8>.self))
    }

    /// Bytes after the last row so that a four-byte read or write of a three-byte pixel stays in bounds.
    private static let rowSlack = 4

    /// Reverses the per-row PNG filters in place and converts each row to RGB.
    private static func unfilter(_ raw: inout [UInt8], header: Header, palette: [UInt8]) -> RGBImage? {
        let width = header.width, height = header.height, bpp = header.channels
        let rowBytes = width * bpp
        let paletteCount = palette.count / 3
        var failed = false
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { rgb, initialized in
            initialized = width * height * 3
            raw.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress!
                let zeroRow = [UInt8](repeating: 0, count: rowBytes + Self.rowSlack)
                zeroRow.withUnsafeBufferPointer { zeros in
                    palette.withUnsafeBufferPointer { colors in
                        for y in 0..<height {
                            let filter = base[y * (rowBytes + 1)]
                            let row = base + y * (rowBytes + 1) + 1
                            let prior = y == 0 ? UnsafeMutablePointer(mutating: zeros.baseAddress!) : base + (y - 1) * (rowBytes + 1) + 1
                            switch filter {
                            case 0: break
                            case 1:
                                for i in bpp..<rowBytes { row[i] &+= row[i - bpp] }
                            case 2:
                                for i in 0..<rowBytes { row[i] &+= prior[i] }
                            case 3:
                                for i in 0..<bpp { row[i] &+= prior[i] >> 1 }
                                for i in bpp..<rowBytes { row[i] &+= UInt8((UInt16(row[i - bpp]) + UInt16(prior[i])) >> 1) }
                            case 4:
                                unpaeth(row: row, prior: prior, count: rowBytes, bytesPerPixel: bpp)
                            default:
                                failed = true
                                return
                            }
                            let out = rgb.baseAddress! + y * width * 3
                            switch header.colorType {
                            case 2:
                                out.update(from: row, count: rowBytes)
                            case 6:
                                for x in 0..<width {
                                    out[x * 3] = row[x * 4]; out[x * 3 + 1] = row[x * 4 + 1]; out[x * 3 + 2] = row[x * 4 + 2]
                                }
                            case 0, 4:
                                for x in 0..<width {
                                    let grey = row[x * bpp]
                                    out[x * 3] = grey; out[x * 3 + 1] = grey; out[x * 3 + 2] = grey
                                }
                            default:  // 3: palette
                                for x in 0..<width {
                                    let index = Int(row[x])
                                    guard index < paletteCount else { failed = true; return }
                                    out[x * 3] = colors[index * 3]; out[x * 3 + 1] = colors[index * 3 + 1]; out[x * 3 + 2] = colors[index * 3 + 2]
                                }
                            }
                        }
                    }
                }
            }
        }
        return failed ? nil : RGBImage(width: width, height: height, pixels: pixels)
    }
}
