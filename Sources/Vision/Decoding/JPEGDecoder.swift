import CTurboJPEG

/// JPEG through libjpeg-turbo's TurboJPEG API (`tj*`, version 2.1).
struct JPEGDecoder {
    var options: DecodingOptions

    func decode(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> RGBImage {
        guard let handle = tjInitDecompress() else { throw .corrupt(format: .jpeg, reason: "cannot create decompressor") }
        defer { tjDestroy(handle) }
        let jpeg = bytes.bindMemory(to: UInt8.self)
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        if tjDecompressHeader3(handle, jpeg.baseAddress, UInt(jpeg.count), &width, &height, &subsampling, &colorspace) != 0 {
            throw .corrupt(format: .jpeg, reason: Self.message(handle))
        }
        // A tables-only ("abbreviated") stream has no frame: the header call succeeds with 0x0.
        guard width > 0, height > 0 else { throw .corrupt(format: .jpeg, reason: "no image frame (tables-only JPEG)") }
        guard Int(width) * Int(height) <= options.maxPixels else {
            throw .tooLarge(width: Int(width), height: Int(height), limit: options.maxPixels)
        }
        let factor = Self.scalingFactor(width: Int(width), height: Int(height), minimumShorterSide: options.jpegMinimumShorterSide)
        let outputWidth = Int(ec_tjscaled(width, factor)), outputHeight = Int(ec_tjscaled(height, factor))
        // A truncated or damaged stream only raises a libjpeg warning and yields a partly grey image;
        // STOPONWARNING turns that into an error. LIMITSCANS refuses progressive streams with
        // absurd scan counts (a CPU-exhaustion attack).
        let flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS | TJFLAG_ACCURATEDCT
        let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let channels = isCMYK ? 4 : 3
        let pixelFormat = isCMYK ? TJPF_CMYK : TJPF_RGB
        var status: Int32 = 0
        // Not zero-filled first: the decoder writes every byte, and on failure the buffer is dropped.
        var decoded = [UInt8](unsafeUninitializedCapacity: outputWidth * outputHeight * channels) { buffer, initialized in
            status = tjDecompress2(handle, jpeg.baseAddress, UInt(jpeg.count), buffer.baseAddress,
                                   Int32(outputWidth), Int32(outputWidth * channels), Int32(outputHeight),
                                   Int32(pixelFormat.rawValue), flags)
            initialized = buffer.count
        }
        if status != 0 { throw .corrupt(format: .jpeg, reason: Self.message(handle)) }
        if isCMYK { decoded = Self.convertInvertedCMYKToRGB(decoded) }
        return RGBImage(width: outputWidth, height: outputHeight, pixels: decoded)
    }

    /// The smallest of 1/8, 1/4, 1/2 (else 1) whose scaled shorter side stays >= the minimum.
    static func scalingFactor(width: Int, height: Int, minimumShorterSide: Int?) -> tjscalingfactor {
        let full = tjscalingfactor(num: 1, denom: 1)
        guard let minimum = minimumShorterSide else { return full }
        let shorter = Int32(min(width, height))
        for denominator: Int32 in [8, 4, 2] {
            let factor = tjscalingfactor(num: 1, denom: denominator)
            if Int(ec_tjscaled(shorter, factor)) >= minimum { return factor }
        }
        return full
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

    static func message(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown error" }
        return String(cString: text)
    }
}
