import Foundation

/// Pillow's antialiased bilinear filter along one axis (libImaging/Resample.c), computed only for
/// the output positions the crop keeps.
///
/// Pillow widens the triangle filter's support by the downscale factor, normalises each output's
/// weights to sum to 1, then converts them to fixed point with 22 fraction bits (rounding away from
/// zero); a pass rounds by adding half and shifting, and clamps to 0...255. Matching this exactly
/// is what makes our tensors equal Pillow's to the bit.
struct ResampleCoefficients {
    static let precisionBits: Int32 = 22
    /// First input index per kept output.
    var starts: [Int32]
    /// Number of taps per kept output.
    var counts: [Int32]
    /// `taps` fixed-point weights per kept output, zero-padded.
    var weights: [Int32]
    var taps: Int

    init(inputSize: Int, outputSize: Int, keep: Range<Int>) {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1.0)
        let support = 1.0 * filterScale  // the bilinear (triangle) filter has support 1
        let taps = Int(support.rounded(.up)) * 2 + 1
        var starts = [Int32](), counts = [Int32]()
        starts.reserveCapacity(keep.count)
        counts.reserveCapacity(keep.count)
        var weights = [Int32](repeating: 0, count: keep.count * taps)
        var real = [Double](repeating: 0, count: taps)
        for (slot, output) in keep.enumerated() {
            let center = (Double(output) + 0.5) * scale
            // Pillow truncates toward zero after adding 0.5 ("Round the value").
            let first = max(Int(center - support + 0.5), 0)
            let end = min(Int(center + support + 0.5), inputSize)
            let count = max(end - first, 0)
            var total = 0.0
            for tap in 0..<count {
                let distance = abs((Double(tap + first) - center + 0.5) / filterScale)
                let weight = distance < 1.0 ? 1.0 - distance : 0.0
                real[tap] = weight
                total += weight
            }
            for tap in 0..<count {
                let normalised = total != 0.0 ? real[tap] / total : real[tap]
                let fixed = normalised * Double(1 << Self.precisionBits)
                weights[slot * taps + tap] = Int32(fixed < 0 ? fixed - 0.5 : fixed + 0.5)
            }
            starts.append(Int32(first))
            counts.append(Int32(count))
        }
        self.starts = starts
        self.counts = counts
        self.weights = weights
        self.taps = taps
    }

    /// The input indices the kept outputs read.
    var inputRange: Range<Int> {
        guard let first = starts.first else { return 0..<0 }
        var end = Int(first)
        for (start, count) in zip(starts, counts) { end = max(end, Int(start) + Int(count)) }
        return Int(first)..<end
    }
}
