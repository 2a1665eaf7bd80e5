import Foundation
import Testing
@testable import Vision

/// Decoding of real (generated) files, compared with what Pillow makes of the same bytes.
@Suite struct ImageDecodingTests {
    /// Full-size decoding: DCT downscaling off, so JPEGs decode like Pillow.
    static let decoder = ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: nil))

    @Test(arguments: [
        "baseline", "sub422", "sub444", "grey", "progressive", "cmyk", "one_jpeg", "one_png",
        "rgb16", "palette_transparent", "palette256", "rgba", "grey_alpha", "grey_png",
    ])
    func decodesLikePillow(name: String) throws {
        let fixtures = try PythonFixtures.images.get()
        let decoded = try Self.decoder.decode(try fixtures.bytes(name))
        let pillow = try fixtures.pillowImage(name)
        #expect(decoded.width == pillow.width && decoded.height == pillow.height)
        let difference = pixelDifference(decoded, pillow)
        // Same libjpeg-turbo algorithms (ISLOW IDCT, fancy upsampling) and the same conversions:
        // identical, except 16-bit PNG where libpng rounds (v*255/65535) and Pillow keeps the high byte.
        #expect(difference.maximum <= (name == "rgb16" ? 1 : 0), "\(name): max diff \(difference.maximum)")
    }

    @Test(arguments: 1...8)
    func appliesExifOrientation(orientation: Int) throws {
        let fixtures = try PythonFixtures.images.get()
        let name = "exif_\(orientation)"
        let decoded = try Self.decoder.decode(try fixtures.bytes(name))
        // Against Pillow's exif_transpose of the same file: exact.
        #expect(pixelDifference(decoded, try fixtures.pillowImage(name)).maximum == 0)
        // Against the upright original the file was made from: only JPEG's loss remains.
        let upright = try fixtures.upright()
        #expect(decoded.width == upright.width && decoded.height == upright.height)
        #expect(pixelDifference(decoded, upright).mean < 3)
    }

    /// PNG carries orientation in an eXIf chunk; Pillow's exif_transpose applies it like a JPEG's.
    @Test(arguments: 1...8)
    func appliesPNGExifOrientation(orientation: Int) throws {
        let fixtures = try PythonFixtures.images.get()
        let name = "exif_png_\(orientation)"
        let decoded = try Self.decoder.decode(try fixtures.bytes(name))
        #expect(pixelDifference(decoded, try fixtures.pillowImage(name)).maximum == 0, "against Pillow's exif_transpose")
        #expect(pixelDifference(decoded, try fixtures.upright()).maximum == 0, "PNG is lossless: exactly the upright original")
    }

    @Test func exifParserIgnoresMalformedBlocks() {
        // An APP1 "Exif" segment whose IFD offset points past the end.
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10]
        bytes += Array("Exif\0\0".utf8) + [0x4D, 0x4D, 0x00, 0x2A, 0x7F, 0xFF, 0xFF, 0xFF]
        bytes += [0xFF, 0xD9]
        let orientation = bytes.withUnsafeBytes { ExifOrientation.read(fromJPEG: $0) }
        #expect(orientation == .normal)
    }

    @Test func downscalesLargeJPEGsInTheDCTDomain() throws {
        let fixtures = try PythonFixtures.images.get()
        let bytes = try fixtures.bytes("baseline")  // 96x64
        let halfAllowed = ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: 32))
        let image = try halfAllowed.decode(bytes)
        #expect(image.width == 48 && image.height == 32)
        let eighth = ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: 8))
        let small = try eighth.decode(bytes)
        #expect(small.width == 12 && small.height == 8)
        let tooSmall = ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: 65))
        #expect(try tooSmall.decode(bytes).width == 96)
    }

    @Test func scalingFactorIsTheSmallestKeepingTheShorterSide() {
        #expect(JPEGDecoder.scaleDenominator(width: 2000, height: 1500, minimumShorterSide: 256) == 4)
        #expect(JPEGDecoder.scaleDenominator(width: 1352, height: 900, minimumShorterSide: 256) == 2)
        #expect(JPEGDecoder.scaleDenominator(width: 640, height: 427, minimumShorterSide: 256) == 1)
        #expect(JPEGDecoder.scaleDenominator(width: 4096, height: 4096, minimumShorterSide: 256) == 8)
        #expect(JPEGDecoder.scaleDenominator(width: 4096, height: 4096, minimumShorterSide: nil) == 1)
    }
}

/// Hostile and odd inputs: each gives its own typed outcome, none crashes.
@Suite struct HostileImageTests {
    static let decoder = ImageDecoder()

    /// The error decoding `bytes` gives, or nil when it (wrongly) decodes.
    static func failure(_ bytes: Data) -> ImageError? {
        do {
            _ = try decoder.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    /// The benchmarks' floor (the entropy-coded stage alone) takes what decodes and refuses damage.
    @Test func decompressOnlyRunsTheEntropyCodedStage() throws {
        let fixtures = try PythonFixtures.images.get()
        for name in ["baseline", "progressive", "cmyk", "grey", "one_jpeg", "rgba", "palette256", "grey_png"] {
            let bytes = try fixtures.bytes(name)
            #expect(throws: Never.self, "\(name)") { try bytes.withUnsafeBytes { try Self.decoder.decompressOnly($0) } }
        }
        let truncated = try fixtures.bytes("truncated")
        #expect(throws: ImageError.self) { try truncated.withUnsafeBytes { try Self.decoder.decompressOnly($0) } }
        let rgb16 = try fixtures.bytes("rgb16")  // left to libpng by the fast decoder: no floor to measure
        #expect(throws: ImageError.self) { try rgb16.withUnsafeBytes { try Self.decoder.decompressOnly($0) } }
    }

    @Test func zeroBytesAreEmpty() throws {
        let fixtures = try PythonFixtures.images.get()
        #expect(throws: ImageError.empty) { try Self.decoder.decode(try fixtures.bytes("empty")) }
    }

    @Test func textNamedJPGIsUnsupported() throws {
        let fixtures = try PythonFixtures.images.get()
        #expect(throws: ImageError.unsupportedFormat("unrecognised data (not JPEG or PNG)")) {
            try Self.decoder.decode(try fixtures.bytes("text"))
        }
    }

    @Test(arguments: [("gif", "GIF"), ("webp", "WebP")])
    func otherFormatsAreUnsupportedByMagicNotName(name: String, format: String) throws {
        let fixtures = try PythonFixtures.images.get()
        #expect(throws: ImageError.unsupportedFormat(format)) { try Self.decoder.decode(try fixtures.bytes(name)) }
    }

    @Test func truncatedJPEGIsCorruptNotGrey() throws {
        let fixtures = try PythonFixtures.images.get()
        let error = Self.failure(try fixtures.bytes("truncated"))
        guard case .corrupt(.jpeg, let reason) = error else { Issue.record("expected corrupt JPEG, got \(String(describing: error))"); return }
        #expect(!reason.isEmpty)
    }

    @Test func decompressionBombIsRefusedFromTheHeader() throws {
        let fixtures = try PythonFixtures.images.get()
        // The header says 20000x20000 but the data is a 96x64 image: a decode attempt would fail
        // with `corrupt`; `tooLarge` with the header's size shows the refusal came first.
        #expect(throws: ImageError.tooLarge(width: 20000, height: 20000, limit: 50_000_000)) {
            try Self.decoder.decode(try fixtures.bytes("bomb"))
        }
    }

    @Test func tablesOnlyJPEGIsCorrupt() throws {
        let fixtures = try PythonFixtures.images.get()
        let error = Self.failure(try fixtures.bytes("tables_only"))
        guard case .corrupt(.jpeg, _) = error else { Issue.record("expected corrupt JPEG, got \(String(describing: error))"); return }
    }

    @Test func corruptPNGIsCorrupt() throws {
        let fixtures = try PythonFixtures.images.get()
        let error = Self.failure(try fixtures.bytes("corrupt_png"))
        guard case .corrupt(.png, _) = error else { Issue.record("expected corrupt PNG, got \(String(describing: error))"); return }
    }

    @Test func pixelLimitAppliesToPNGToo() throws {
        let fixtures = try PythonFixtures.images.get()
        let strict = ImageDecoder(options: DecodingOptions(maxPixels: 1000))
        #expect(throws: ImageError.tooLarge(width: 96, height: 64, limit: 1000)) { try strict.decode(try fixtures.bytes("grey_png")) }
    }

    @Test func byteLimitIsCheckedBeforeParsing() throws {
        let strict = ImageDecoder(options: DecodingOptions(maxBytes: 10))
        let bytes = [UInt8](repeating: 0xFF, count: 11)
        #expect(throws: ImageError.tooManyBytes(count: 11, limit: 10)) { try strict.decode(bytes) }
    }

    @Test(arguments: 1..<40)
    func everyTruncationOfAPNGOrJPEGFailsCleanly(cut: Int) throws {
        let fixtures = try PythonFixtures.images.get()
        for name in ["baseline", "grey_png", "progressive"] {
            let bytes = [UInt8](try fixtures.bytes(name))
            let prefix = Array(bytes.prefix(bytes.count * cut / 40))
            #expect(throws: ImageError.self, "\(name) cut at \(prefix.count)") { try Self.decoder.decode(prefix) }
        }
    }

    @Test func oneByOneImageIsClassifiable() throws {
        let fixtures = try PythonFixtures.images.get()
        let image = try Self.decoder.decode(try fixtures.bytes("one_png"))
        #expect(image.width == 1 && image.height == 1 && image.pixels == [10, 220, 130])
        let tensor = Preprocessor().tensor(for: image)
        #expect(tensor.count == 3 * 224 * 224)
        // Every output pixel is the one input pixel.
        #expect(Set(tensor[0..<(224 * 224)]).count == 1)
    }
}
