/// The EXIF orientation tag (0x0112) and the transposition that displays the image upright, as
/// Pillow's `ImageOps.exif_transpose` applies it.
public enum ExifOrientation: Int, Sendable {
    case normal = 1, mirrored = 2, rotated180 = 3, flipped = 4
    case transposed = 5, rotatedClockwise = 6, transversed = 7, rotatedCounterClockwise = 8

    /// Reads the orientation from a JPEG's first APP1 "Exif" segment; `.normal` when absent or
    /// malformed (a bad EXIF block never fails the decode).
    static func read(fromJPEG bytes: UnsafeRawBufferPointer) -> ExifOrientation {
        var offset = 2
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { return .normal }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }  // fill byte
            if marker == 0xDA || marker == 0xD9 { return .normal }  // start of scan / end of image
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= bytes.count else { return .normal }
            let segment = UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<(offset + 2 + length)])
            if marker == 0xE1, segment.starts(with: Array("Exif\0\0".utf8)) {
                return parseTIFF(UnsafeRawBufferPointer(rebasing: segment[6...])) ?? .normal
            }
            offset += 2 + length
        }
        return .normal
    }

    /// Reads the orientation from a PNG's `eXIf` chunk (a bare TIFF block, though some writers
    /// keep JPEG's "Exif\0\0" prefix); `.normal` when absent or malformed. Pillow reads the chunk
    /// wherever it sits before IEND, so the whole chunk list is walked (lengths only, no CRCs:
    /// a damaged chunk ends the walk, it never fails the decode).
    static func read(fromPNG bytes: UnsafeRawBufferPointer) -> ExifOrientation {
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length <= bytes.count - offset - 12 else { return .normal }
            let type = (bytes[offset + 4], bytes[offset + 5], bytes[offset + 6], bytes[offset + 7])
            let data = UnsafeRawBufferPointer(rebasing: bytes[(offset + 8)..<(offset + 8 + length)])
            switch type {
            case (0x65, 0x58, 0x49, 0x66):  // eXIf
                let tiff = data.starts(with: Array("Exif\0\0".utf8)) ? UnsafeRawBufferPointer(rebasing: data[6...]) : data
                return parseTIFF(tiff) ?? .normal
            case (0x49, 0x45, 0x4E, 0x44):  // IEND
                return .normal
            default:
                offset += 12 + length
            }
        }
        return .normal
    }

    /// Finds tag 0x0112 in IFD0 of a TIFF block; every offset is bounds-checked.
    static func parseTIFF(_ tiff: UnsafeRawBufferPointer) -> ExifOrientation? {
        guard tiff.count >= 8 else { return nil }
        let littleEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            return littleEndian ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let high = u16(littleEndian ? at + 2 : at), let low = u16(littleEndian ? at : at + 2) else { return nil }
            return high << 16 | low
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for entry in 0..<count {
            let at = ifd + 2 + entry * 12
            guard let tag = u16(at) else { return nil }
            if tag == 0x0112 {
                guard u16(at + 2) == 3, let value = u16(at + 8) else { return nil }
                return ExifOrientation(rawValue: value)
            }
        }
        return nil
    }

    /// The orientation that undoes this one (rotations turn back; flips are their own inverse).
    var inverse: ExifOrientation {
        switch self {
        case .rotatedClockwise: return .rotatedCounterClockwise
        case .rotatedCounterClockwise: return .rotatedClockwise
        default: return self
        }
    }

    /// The size of a `width` x `height` image once this orientation is applied (5-8 turn it a
    /// quarter, so width and height trade places).
    func orientedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        rawValue >= 5 ? (height, width) : (width, height)
    }

    /// Where `region` of a `width` x `height` image lands once this orientation is applied.
    func map(_ region: PixelRegion, width: Int, height: Int) -> PixelRegion {
        let (x, y, w, h) = (region.x, region.y, region.width, region.height)
        let right = width - x - w, bottom = height - y - h  // margins to the far edges
        switch self {
        case .normal: return region
        case .mirrored: return PixelRegion(x: right, y: y, width: w, height: h)
        case .rotated180: return PixelRegion(x: right, y: bottom, width: w, height: h)
        case .flipped: return PixelRegion(x: x, y: bottom, width: w, height: h)
        case .transposed: return PixelRegion(x: y, y: x, width: h, height: w)
        case .rotatedClockwise: return PixelRegion(x: bottom, y: x, width: h, height: w)
        case .transversed: return PixelRegion(x: bottom, y: right, width: h, height: w)
        case .rotatedCounterClockwise: return PixelRegion(x: y, y: right, width: h, height: w)
        }
    }

    /// The upright image. A partial image stays partial: its pixels turn within their region,
    /// which moves to where it lies in the upright whole.
    func apply(to image: RGBImage) -> RGBImage {
        if self == .normal { return image }
        let width = image.region.width, height = image.region.height
        let (outputWidth, outputHeight) = orientedSize(width: width, height: height)
        let pixels = [UInt8](unsafeUninitializedCapacity: image.pixels.count) { output, initialized in
            image.pixels.withUnsafeBufferPointer { input in
                for y in 0..<outputHeight {
                    for x in 0..<outputWidth {
                        let (sourceX, sourceY): (Int, Int)
                        switch self {
                        case .normal: (sourceX, sourceY) = (x, y)
                        case .mirrored: (sourceX, sourceY) = (width - 1 - x, y)
                        case .rotated180: (sourceX, sourceY) = (width - 1 - x, height - 1 - y)
                        case .flipped: (sourceX, sourceY) = (x, height - 1 - y)
                        case .transposed: (sourceX, sourceY) = (y, x)
                        case .rotatedClockwise: (sourceX, sourceY) = (y, height - 1 - x)
                        case .transversed: (sourceX, sourceY) = (width - 1 - y, height - 1 - x)
                        case .rotatedCounterClockwise: (sourceX, sourceY) = (width - 1 - y, x)
                        }
                        let from = (sourceY * width + sourceX) * 3, to = (y * outputWidth + x) * 3
                        output[to] = input[from]
                        output[to + 1] = input[from + 1]
                        output[to + 2] = input[from + 2]
                    }
                }
            }
            initialized = image.pixels.count
        }
        let whole = orientedSize(width: image.width, height: image.height)
        return RGBImage(width: whole.width, height: whole.height,
                        region: map(image.region, width: image.width, height: image.height), pixels: pixels)
    }
}
