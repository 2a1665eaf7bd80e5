/// Turns a decoded image into the model's float input, equal to torchvision's
/// Resize + CenterCrop + ToTensor + Normalize on a Pillow image.
///
/// Only the pixels the crop keeps are computed: the horizontal pass runs on the rows the vertical
/// pass will read and only for the kept columns; the vertical pass produces only the kept rows and
/// writes floats straight into the tensor through a per-channel lookup table.
public struct Preprocessor: Sendable {
    public let configuration: PreprocessingConfiguration
    /// `normalised[channel * 256 + value]` = (value / 255 - mean) / std, in Float like torchvision.
    private let normalised: [Float]

    public init(configuration: PreprocessingConfiguration = PreprocessingConfiguration()) {
        precondition(configuration.problem == nil, configuration.problem ?? "")
        self.configuration = configuration
        var table = [Float](repeating: 0, count: 3 * 256)
        for channel in 0..<3 {
            for value in 0..<256 {
                table[channel * 256 + value] = (Float(value) / 255 - configuration.mean[channel]) / configuration.std[channel]
            }
        }
        self.normalised = table
    }

    /// The size torchvision's `Resize(int)` gives: shorter side to the target, longer side scaled
    /// and truncated (`int(size * long / short)`).
    public func resizedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let target = configuration.resizeShorterSide
        if width <= height {
            return (target, Int(Double(target * height) / Double(width)))
        }
        return (Int(Double(target * width) / Double(height)), target)
    }

    /// The pixels of a `width` x `height` image that Resize + CenterCrop read: all a decoder
    /// needs to produce (`ImageDecoder.decode(_:needing:)`).
    public func sourceRegion(width: Int, height: Int) -> PixelRegion {
        let (horizontal, vertical) = coefficients(width: width, height: height)
        let columns = horizontal.inputRange, rows = vertical.inputRange
        return PixelRegion(x: columns.lowerBound, y: rows.lowerBound, width: columns.count, height: rows.count)
    }

    /// The kept outputs' filter taps along each axis.
    private func coefficients(width: Int, height: Int) -> (horizontal: ResampleCoefficients, vertical: ResampleCoefficients) {
        let crop = configuration.cropSize
        let resized = resizedSize(width: width, height: height)
        let left = Self.cropOffset(size: resized.width, crop: crop)
        let top = Self.cropOffset(size: resized.height, crop: crop)
        return (ResampleCoefficients(inputSize: width, outputSize: resized.width, keep: left..<(left + crop)),
                ResampleCoefficients(inputSize: height, outputSize: resized.height, keep: top..<(top + crop)))
    }

    /// torchvision's centre-crop offset: `int(round((size - crop) / 2))`, and Python rounds half to even.
    static func cropOffset(size: Int, crop: Int) -> Int {
        Int((Double(size - crop) / 2).rounded(.toNearestOrEven))
    }

    /// The model input for one image as a new array.
    public func tensor(for image: RGBImage) -> [Float] {
        [Float](unsafeUninitializedCapacity: configuration.valuesPerImage) { buffer, initialized in
            preprocess(image, into: buffer)
            initialized = configuration.valuesPerImage
        }
    }

    /// The 8-bit RGB crop before normalisation (row-major, interleaved): what Pillow would hold
    /// after Resize + CenterCrop. For tests and diagnostics.
    public func croppedPixels(for image: RGBImage) -> [UInt8] {
        var pixels = [UInt8]()
        resample(image) { row, values in pixels.append(contentsOf: values) }
        return pixels
    }

    /// Writes `configuration.valuesPerImage` floats at `output`.
    public func preprocess(_ image: RGBImage, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(output.count >= configuration.valuesPerImage, "output too small")
        let crop = configuration.cropSize
        let plane = crop * crop
        let layout = configuration.layout
        normalised.withUnsafeBufferPointer { table in
            let red = table.baseAddress!, green = red + 256, blue = red + 512
            resample(image) { row, values in
                switch layout {
                case .nchw:
                    let base = output.baseAddress! + row * crop
                    for column in 0..<crop {
                        base[column] = red[Int(values[column * 3])]
                        base[plane + column] = green[Int(values[column * 3 + 1])]
                        base[2 * plane + column] = blue[Int(values[column * 3 + 2])]
                    }
                case .nhwc:
                    let base = output.baseAddress! + row * crop * 3
                    for column in 0..<crop {
                        base[column * 3] = red[Int(values[column * 3])]
                        base[column * 3 + 1] = green[Int(values[column * 3 + 1])]
                        base[column * 3 + 2] = blue[Int(values[column * 3 + 2])]
                    }
                }
            }
        }
    }

    /// Runs both passes and hands each kept output row (crop width x RGB bytes) to `emit`.
    /// A partial image must hold `sourceRegion` of its whole.
    private func resample(_ image: RGBImage, emit: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        let crop = configuration.cropSize
        let (horizontal, vertical) = coefficients(width: image.width, height: image.height)
        let rows = vertical.inputRange
        let needed = PixelRegion(x: horizontal.inputRange.lowerBound, y: rows.lowerBound,
                                 width: horizontal.inputRange.count, height: rows.count)
        precondition(image.region.contains(needed), "the image holds \(image.region), the crop reads \(needed)")
        let rowBytes = crop * 3
        let half: Int32 = 1 << (ResampleCoefficients.precisionBits - 1)
        // Horizontal pass on the rows the vertical pass reads, kept columns only.
        // + 1: see horizontalPass. Not zero-filled first: the pass writes every byte read later.
        let intermediate = [UInt8](unsafeUninitializedCapacity: rows.count * rowBytes + 1) { target, initialized in
            image.pixels.withUnsafeBufferPointer { source in
                Self.horizontalPass(source: source.baseAddress!, region: image.region, rows: rows,
                                    coefficients: horizontal, columns: crop, into: target.baseAddress!)
            }
            initialized = target.count
        }
        // Vertical pass: accumulate whole rows (a loop the compiler vectorises), kept rows only.
        var accumulator = [Int32](repeating: 0, count: rowBytes)
        var outputRow = [UInt8](repeating: 0, count: rowBytes)
        intermediate.withUnsafeBufferPointer { source in
            accumulator.withUnsafeMutableBufferPointer { sums in
                outputRow.withUnsafeMutableBufferPointer { out in
                    for row in 0..<crop {
                        for index in 0..<rowBytes { sums[index] = half }
                        let start = Int(vertical.starts[row]) - rows.lowerBound, count = Int(vertical.counts[row])
                        for tap in 0..<count {
                            let weight = vertical.weights[row * vertical.taps + tap]
                            let line = source.baseAddress! + (start + tap) * rowBytes
                            for index in 0..<rowBytes { sums[index] &+= Int32(line[index]) &* weight }
                        }
                        for index in 0..<rowBytes { out[index] = Self.clip(sums[index]) }
                        emit(row, UnsafeBufferPointer(out))
                    }
                }
            }
        }
    }

    /// Pillow's horizontal pass for `columns` kept outputs of each row in `rows` (image rows; the
    /// `source` pixels are `region` of the image).
    ///
    /// One SIMD multiply-add per tap covers a pixel's three channels: the pixel is read as four
    /// bytes (the fourth, the next pixel's red, lands in a lane that is never kept). Each output
    /// runs its own count of taps, so the only read past a row's last pixel is that fourth byte:
    /// it lands in the next row, or, for the last row held, in a copy padded for it. Outputs are
    /// written as four bytes, the fourth overwritten by the next column (`target` has one byte
    /// of slack).
    private static func horizontalPass(source: UnsafePointer<UInt8>, region: PixelRegion, rows: Range<Int>,
                                       coefficients: ResampleCoefficients, columns: Int,
                                       into target: UnsafeMutablePointer<UInt8>) {
        let half = SIMD4<Int32>(repeating: 1 << (ResampleCoefficients.precisionBits - 1))
        let taps = coefficients.taps
        let height = region.height
        let rowBytes = region.width * 3
        let slack = taps * 3 + 4
        let paddedLastRow = UnsafeMutablePointer<UInt8>.allocate(capacity: rowBytes + slack)
        defer { paddedLastRow.deallocate() }
        paddedLastRow.update(from: source + (height - 1) * rowBytes, count: rowBytes)
        (paddedLastRow + rowBytes).initialize(repeating: 0, count: slack)
        coefficients.weights.withUnsafeBufferPointer { weights in
            coefficients.starts.withUnsafeBufferPointer { starts in
              coefficients.counts.withUnsafeBufferPointer { counts in
                for (slot, row) in rows.enumerated() {
                    let held = row - region.y
                    let sourceRow = UnsafeRawPointer(held == height - 1 ? UnsafePointer(paddedLastRow) : source + held * rowBytes)
                    var output = UnsafeMutableRawPointer(target + slot * columns * 3)
                    var k = weights.baseAddress!
                    for column in 0..<columns {
                        // Held pixels start at column region.x.
                        var pixel = sourceRow + (Int(starts[column]) - region.x) * 3
                        var sum = half
                        for tap in 0..<Int(counts[column]) {
                            let bytes = unsafeBitCast(pixel.loadUnaligned(as: UInt32.self), to: SIMD4<UInt8>.self)
                            sum &+= SIMD4<Int32>(truncatingIfNeeded: bytes) &* SIMD4<Int32>(repeating: k[tap])
                            pixel += 3
                        }
                        let value = (sum &>> ResampleCoefficients.precisionBits).clamped(lowerBound: .zero, upperBound: SIMD4(repeating: 255))
                        output.storeBytes(of: SIMD4<UInt8>(truncatingIfNeeded: value), as: SIMD4<UInt8>.self)
                        output += 3
                        k += taps
                    }
                }
              }
            }
        }
    }

    @inline(__always)
    private static func clip(_ sum: Int32) -> UInt8 {
        let value = sum >> ResampleCoefficients.precisionBits
        return value < 0 ? 0 : (value > 255 ? 255 : UInt8(truncatingIfNeeded: value))
    }
}
