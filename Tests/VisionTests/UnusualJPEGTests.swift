import Foundation
import JPEGTestEncoder
import Testing
import TestSupport
@testable import Vision

/// JPEG layouts Pillow cannot write, made with libjpeg's own encoder: luma sampled up to 4x2/2x4,
/// incomplete progressive streams, one sequential scan per component. Decoding only a region must
/// still give the whole decode's pixels (and never hang), and the scan limit holds for every
/// multi-scan stream. Each case here was a bug in the first version of the region decode.
@Suite struct UnusualJPEGTests {
    struct Layout: Sendable, CustomStringConvertible {
        var lumaHorizontal: Int32
        var lumaVertical: Int32
        var progressive = false
        var arithmetic = false
        var scanPerComponent = false
        var components: Int32 = 3
        var description: String {
            "\(components)x luma \(lumaHorizontal)x\(lumaVertical)\(progressive ? " progressive" : "")"
                + "\(arithmetic ? " arithmetic" : "")\(scanPerComponent ? " scan per component" : "")"
        }
    }

    /// A smooth pattern with seeded noise, so that every block has detail at every frequency.
    static func pixels(width: Int, height: Int, components: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        var pixels = [UInt8](repeating: 0, count: width * height * components)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<components {
                    let wave = sin(Double(x) * 0.37 * Double(c + 1) + Double(y) * 0.23 * Double(c + 2)) * cos(Double(x) * 0.05 + Double(y) * 0.11 * Double(c))
                    let value = 128 + 100 * wave + Double(Int.random(in: -20...20, using: &generator))
                    pixels[(y * width + x) * components + c] = UInt8(max(0, min(255, value)))
                }
            }
        }
        return pixels
    }

    static func encode(_ layout: Layout, width: Int, height: Int, seed: UInt64 = 3) throws -> Data {
        let source = pixels(width: width, height: height, components: Int(layout.components), seed: seed)
        var spec = ECTestJPEGSpec(width: UInt32(width), height: UInt32(height), components: layout.components,
                                  lumaHorizontal: layout.lumaHorizontal, lumaVertical: layout.lumaVertical,
                                  progressive: layout.progressive ? 1 : 0, arithmetic: layout.arithmetic ? 1 : 0,
                                  scanPerComponent: layout.scanPerComponent ? 1 : 0, quality: 90)
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: 200)
        guard let buffer = ec_test_jpeg_encode(&spec, source, &size, &message) else {
            throw FixtureError(description: "libjpeg could not encode \(layout): \(String(cString: message))")
        }
        defer { ec_test_jpeg_free(buffer) }
        return Data(bytes: buffer, count: Int(size))
    }

    /// Every luma sampling libjpeg encodes with 1x1 chroma (an MCU holds at most 10 blocks).
    static let layouts: [Layout] = [(2, 4), (4, 2), (1, 4), (4, 1), (3, 2), (2, 3), (3, 1), (2, 1), (1, 2), (2, 2)]
        .flatMap { h, v in [false, true].map { Layout(lumaHorizontal: h, lumaVertical: v, progressive: $0) } }
        + [Layout(lumaHorizontal: 2, lumaVertical: 2, arithmetic: true),
           Layout(lumaHorizontal: 1, lumaVertical: 1, scanPerComponent: true),
           Layout(lumaHorizontal: 2, lumaVertical: 2, components: 4), Layout(lumaHorizontal: 1, lumaVertical: 4, components: 1)]

    /// Every sampling at full size and DCT-downscaled by 2 and 4: one-row regions at every row (a
    /// sweep of where the skips start and end: luma 2x4 at 1/2 scale once looped for ever), and
    /// column spans at every edge.
    @Test(arguments: layouts)
    func regionsEqualTheWholeDecode(layout: Layout) throws {
        let bytes = try Self.encode(layout, width: 150, height: 110)
        for minimum: Int? in [nil, 55, 27] {
            let decoder = ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: minimum))
            let whole = try decoder.decode(bytes)
            var generator = SeededGenerator(seed: 5)
            var regions: [PixelRegion] = []
            for row in 0..<whole.height {
                let x = Int.random(in: 0..<(whole.width - 1), using: &generator)
                regions.append(PixelRegion(x: x, y: row, width: Int.random(in: 1...(whole.width - x), using: &generator), height: 1))
            }
            for x in stride(from: 0, to: whole.width, by: 7) {
                regions.append(PixelRegion(x: x, y: 3, width: min(9, whole.width - x), height: whole.height / 2))
            }
            for region in regions {
                try RegionDecodingTests.expectRegionMatchesWhole(bytes, wanted: region, decoder: decoder,
                                                                  name: "\(layout) at \(whole.width)x\(whole.height) \(region)")
            }
        }
    }

    /// The review's reproducer: 1100x1510 with luma 2x4 decodes at 1/2 scale, and the crop's
    /// region then ends on a row where libjpeg-turbo's skip never returned (progressive) or
    /// called the stream damaged (baseline).
    @Test(arguments: [false, true])
    func largeTallSamplingDecodesItsCropRegion(progressive: Bool) throws {
        let bytes = try Self.encode(Layout(lumaHorizontal: 2, lumaVertical: 4, progressive: progressive), width: 1100, height: 1510)
        let decoder = ImageDecoder()
        let preprocessor = Preprocessor()
        let whole = try decoder.decode(bytes)
        #expect(whole.width == 550 && whole.height == 755)
        let part = try decoder.decode(bytes, needing: preprocessor.sourceRegion)
        #expect(preprocessor.tensor(for: part) == preprocessor.tensor(for: whole))
    }

    /// A progressive stream cut after its first scans is still valid; libjpeg then smooths blocks
    /// with their neighbours, so columns are not cropped for it.
    @Test(arguments: [2, 4, 6, 8])
    func incompleteProgressiveStreamsDecodeLikeTheWhole(scans: Int) throws {
        let full = try Self.encode(Layout(lumaHorizontal: 2, lumaVertical: 2, progressive: true), width: 1200, height: 900)
        let bytes = try Self.keepingScans(of: full, count: scans)
        let decoder = ImageDecoder()
        let preprocessor = Preprocessor()
        let whole = try decoder.decode(bytes)
        let part = try decoder.decode(bytes, needing: preprocessor.sourceRegion)
        #expect(preprocessor.tensor(for: part) == preprocessor.tensor(for: whole), "first \(scans) scans")
        try RegionDecodingTests.expectRegionMatchesWhole(bytes, wanted: PixelRegion(x: 202, y: 54, width: 792, height: 792),
                                                          decoder: decoder, name: "first \(scans) scans")
    }

    /// Repeated sequential scans (one per component, arithmetic-coded: a few bytes each) count
    /// toward the scan limit as progressive ones do.
    @Test func sequentialScansCountTowardTheLimit() throws {
        let bytes = [UInt8](try Self.encode(Layout(lumaHorizontal: 1, lumaVertical: 1, arithmetic: true, scanPerComponent: true),
                                            width: 64, height: 48))
        let (head, scans) = try JPEGScans.split(bytes)
        try #require(scans.count == 3)
        let limit = Int(JPEGDecoder.maxScans)
        let allowed = head + Array(repeating: scans, count: limit / 3).flatMap { $0.flatMap { $0 } } + [0xFF, 0xD9]
        #expect(throws: Never.self) { _ = try RegionDecodingTests.wholeDecoder.decode(allowed) }
        let tooMany = head + Array(repeating: scans, count: limit / 3 + 1).flatMap { $0.flatMap { $0 } } + [0xFF, 0xD9]
        JPEGScans.expectRefusedForScanCount(tooMany)
    }

    static func keepingScans(of jpeg: Data, count: Int) throws -> Data {
        let (head, scans) = try JPEGScans.split([UInt8](jpeg))
        try #require(scans.count > count, "only \(scans.count) scans")
        return Data(head + scans.prefix(count).flatMap { $0 } + [0xFF, 0xD9])
    }
}
