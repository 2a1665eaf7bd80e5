import Foundation
import Testing
import TestSupport
@testable import Vision

/// Decoding only part of a JPEG (what a centre crop reads) must give exactly the pixels a whole
/// decode has there, and must judge the whole stream as strictly as a whole decode does.
@Suite struct RegionDecodingTests {
    static let wholeDecoder = ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: nil))

    /// The pixels of `region` cut from a whole image.
    static func cut(_ image: RGBImage, _ region: PixelRegion) -> [UInt8] {
        precondition(image.isWhole)
        var pixels: [UInt8] = []
        for row in region.rows {
            let start = (row * image.width + region.x) * 3
            pixels += image.pixels[start..<(start + region.width * 3)]
        }
        return pixels
    }

    /// Decodes `bytes` needing `wanted` and checks what comes back against the whole decode.
    static func expectRegionMatchesWhole(_ bytes: Data, wanted: PixelRegion, decoder: ImageDecoder, name: String) throws {
        let whole = try decoder.decode(bytes)
        var askedWith: (Int, Int)?
        let part = try decoder.decode(bytes, needing: { width, height in
            askedWith = (width, height)
            return wanted
        })
        #expect(askedWith.map { $0 == (whole.width, whole.height) } == true, "\(name): asked with the upright size")
        #expect(part.width == whole.width && part.height == whole.height)
        #expect(part.region.contains(wanted.clamped(width: whole.width, height: whole.height)),
                "\(name): holds \(part.region), wanted \(wanted)")
        #expect(cut(whole, part.region) == part.pixels, "\(name): pixels of \(part.region) differ from the whole decode's")
    }

    /// Every kind of JPEG the fixtures have (4:2:0, 4:2:2, 4:4:4, grey, CMYK, progressive), at
    /// full size and DCT-downscaled by 2 and 4, under regions at every edge and in the middle,
    /// one-pixel ones included: fancy upsampling reads neighbouring chroma, so region edges are
    /// where a difference would show.
    @Test(arguments: ["baseline", "sub422", "sub444", "grey", "cmyk", "progressive"], [nil, 32, 16] as [Int?])
    func regionsEqualTheWholeDecode(name: String, jpegMinimumShorterSide: Int?) throws {
        let bytes = try PythonFixtures.images.get().bytes(name)  // 96x64
        let decoder = ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: jpegMinimumShorterSide))
        let whole = try decoder.decode(bytes)
        let (width, height) = (whole.width, whole.height)
        var generator = SeededGenerator(seed: 11)
        var regions = [
            PixelRegion.whole(width: width, height: height), PixelRegion(x: 0, y: 0, width: 1, height: 1),
            PixelRegion(x: width - 1, y: height - 1, width: 1, height: 1), PixelRegion(x: 0, y: height / 2, width: width, height: 2),
            PixelRegion(x: width / 2, y: 0, width: width - width / 2, height: height),
            PixelRegion(x: width / 3, y: height / 4, width: width / 3, height: height / 2),
            PixelRegion(x: width - 5, y: height - 7, width: 100, height: 100),  // past the edges: clamped
        ]
        for _ in 0..<20 {
            let x = Int.random(in: 0..<width, using: &generator), y = Int.random(in: 0..<height, using: &generator)
            regions.append(PixelRegion(x: x, y: y, width: Int.random(in: 1...(width - x), using: &generator),
                                       height: Int.random(in: 1...(height - y), using: &generator)))
        }
        for region in regions {
            try Self.expectRegionMatchesWhole(bytes, wanted: region, decoder: decoder, name: "\(name) at \(width)x\(height) \(region)")
        }
    }

    /// The region is asked for and returned in upright coordinates; the decoder turns it into
    /// the stored image's own before decoding.
    @Test(arguments: 1...8)
    func regionsFollowExifOrientation(orientation: Int) throws {
        let bytes = try PythonFixtures.images.get().bytes("exif_\(orientation)")
        let upright = try Self.wholeDecoder.decode(bytes)
        for region in [PixelRegion(x: 5, y: 7, width: 30, height: 20), PixelRegion(x: upright.width - 9, y: 0, width: 9, height: 41)] {
            try Self.expectRegionMatchesWhole(bytes, wanted: region, decoder: Self.wholeDecoder, name: "orientation \(orientation) \(region)")
        }
    }

    /// On real photos, with and without DCT downscaling: the centre crop's region gives the same
    /// tensor as the whole image, and holds clearly fewer pixels for a landscape photo.
    @Test(arguments: [nil, 512] as [Int?])
    func cropRegionGivesTheWholeImagesTensor(jpegMinimumShorterSide: Int?) throws {
        let photos = ReferencePipeline.photos.filter { ["jpg", "jpeg"].contains($0.pathExtension.lowercased()) }
        try #require(!photos.isEmpty, "no JPEG photos: run scripts/setup")
        let decoder = ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: jpegMinimumShorterSide))
        let preprocessor = Preprocessor()
        for photo in photos {
            let bytes = try Data(contentsOf: photo)
            let whole = try decoder.decode(bytes)
            let part = try decoder.decode(bytes, needing: preprocessor.sourceRegion)
            #expect(part.region.contains(preprocessor.sourceRegion(width: whole.width, height: whole.height)))
            #expect(preprocessor.tensor(for: part) == preprocessor.tensor(for: whole), "\(photo.lastPathComponent)")
            if whole.width * 10 > whole.height * 13 {  // landscape, 4:3 or wider
                #expect(part.pixels.count * 10 < whole.pixels.count * 8,
                        "\(photo.lastPathComponent): \(part.region) of \(whole.width)x\(whole.height) is not much smaller")
            }
        }
    }

    /// Damage below the rows a caller wants is still found: the rest of the stream is read.
    @Test func truncationOutsideTheRegionIsStillAnError() throws {
        let full = try PythonFixtures.images.get().bytes("baseline")
        for fraction in [6, 8, 9] {
            let truncated = full.prefix(full.count * fraction / 10)
            #expect(throws: ImageError.self, "cut at \(fraction)0%") {
                _ = try Self.wholeDecoder.decode(Data(truncated), needing: { _, _ in PixelRegion(x: 0, y: 0, width: 8, height: 8) })
            }
        }
    }

    /// A progressive stream can repeat scans; each one re-reads every coefficient, so thousands of
    /// them in a small file would burn CPU. The fixture's first (DC) scan, made self-consistent
    /// (no successive approximation) and repeated: 500 scans decode, 501 are refused by name.
    @Test func progressiveScanCountIsLimited() throws {
        let progressive = [UInt8](try PythonFixtures.images.get().bytes("progressive"))
        let allowed = try Self.repeatingFirstScan(of: progressive, times: Int(JPEGDecoder.maxScans))
        #expect(throws: Never.self) { _ = try Self.wholeDecoder.decode(allowed) }
        let tooMany = try Self.repeatingFirstScan(of: progressive, times: Int(JPEGDecoder.maxScans) + 1)
        JPEGScans.expectRefusedForScanCount(tooMany)
    }

    /// Everything before the first start-of-scan, then that scan (its Ah/Al set to 0) `times`
    /// times, then end-of-image.
    static func repeatingFirstScan(of jpeg: [UInt8], times: Int) throws -> [UInt8] {
        let (head, scans) = try JPEGScans.split(jpeg)
        var scan = try #require(scans.first)
        let headerLength = Int(scan[2]) << 8 | Int(scan[3])
        scan[1 + headerLength] = 0  // the header's last byte: Ah = 0, Al = 0
        return head + Array(repeating: scan, count: times).flatMap { $0 } + [0xFF, 0xD9]
    }
}
