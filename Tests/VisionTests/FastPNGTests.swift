import Foundation
import Testing
@testable import Vision

/// The libdeflate PNG fast path agrees with libpng, takes the files it should, and hands the rest
/// (16-bit, damaged) back to libpng.
@Suite struct FastPNGTests {
    static let options = DecodingOptions()

    static func both(_ data: Data) throws -> (fast: RGBImage?, libpng: RGBImage) {
        try data.withUnsafeBytes { bytes in
            (try FastPNGDecoder(options: options).decode(bytes), try PNGDecoder(options: options).decode(bytes))
        }
    }

    @Test(arguments: ["rgba", "grey_alpha", "grey_png", "one_png", "palette256"])
    func fastPathTakesEightBitFilesAndEqualsLibpng(name: String) throws {
        let fixtures = try PythonFixtures.images.get()
        let decoded = try Self.both(try fixtures.bytes(name))
        let same = decoded.fast == decoded.libpng
        #expect(decoded.fast != nil, "\(name) should take the fast path")
        #expect(same, "\(name): fast path differs from libpng")
    }

    /// Pillow writes a 16-colour palette with 4-bit indices: libpng's job.
    @Test(arguments: ["palette_transparent", "rgb16"])
    func otherBitDepthsGoToLibpng(name: String) throws {
        let fixtures = try PythonFixtures.images.get()
        let fast = try fixtures.bytes(name).withUnsafeBytes { try FastPNGDecoder(options: Self.options).decode($0) }
        #expect(fast == nil)
    }

    @Test func fastPathEqualsLibpngOnThePhotos() throws {
        let photos = ReferencePipeline.photos.filter { $0.pathExtension == "png" }
        for photo in photos {
            let decoded = try Self.both(try Data(contentsOf: photo))
            let same = decoded.fast != nil && decoded.fast == decoded.libpng
            #expect(same, "\(photo.lastPathComponent)")
        }
    }

    /// Every filter type on every 8-bit colour type and awkward widths (1, 2, 3, 5 and 67 pixels):
    /// the SIMD Paeth path reads four bytes per pixel, so the last pixel of the last row matters.
    @Test(arguments: [0, 2, 3, 4, 6] as [UInt8])
    func everyFilterOnEveryColourTypeEqualsLibpng(colorType: UInt8) throws {
        for width in [1, 2, 3, 5, 67] {
            for byteRange: UInt64 in [256, 3] {
                let png = SyntheticPNG(width: width, height: 11, colorType: colorType,
                                       seed: UInt64(width) * 31 + UInt64(colorType), byteRange: byteRange)
                let decoded = try Self.both(Data(png.encoded()))
                #expect(decoded.fast != nil, "colour type \(colorType), width \(width) should take the fast path")
                let same = decoded.fast == decoded.libpng  // a Bool, so that a failure does not print every pixel
                #expect(same, "colour type \(colorType), width \(width), bytes < \(byteRange): fast path differs from libpng")
            }
        }
    }

    @Test func aFlippedByteInTheImageDataIsRefused() throws {
        let fixtures = try PythonFixtures.images.get()
        var bytes = [UInt8](try fixtures.bytes("rgba"))
        let idat = bytes.indices.first { bytes[$0...].starts(with: Array("IDAT".utf8)) }!
        bytes[idat + 40] ^= 0x55
        // The chunk CRC no longer matches: the fast path declines and libpng reports the damage.
        let fast = try bytes.withUnsafeBytes { try FastPNGDecoder(options: Self.options).decode($0) }
        #expect(fast == nil, "the fast path must decline a chunk with a bad CRC")
        #expect(throws: ImageError.self) { try ImageDecoder().decode(bytes) }
    }

    @Test func bombHeaderIsRefusedBeforeInflating() throws {
        let fixtures = try PythonFixtures.images.get()
        var bytes = [UInt8](try fixtures.bytes("grey_png"))
        // IHDR width/height at offsets 16...23; fix the CRC so the header itself is well-formed.
        bytes.replaceSubrange(16..<24, with: [0, 0, 0x4E, 0x20, 0, 0, 0x4E, 0x20])  // 20000 x 20000
        let crc = bytes[12..<29].withUnsafeBytes { libdeflateCRC32($0) }
        bytes.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)])
        #expect(throws: ImageError.tooLarge(width: 20000, height: 20000, limit: 50_000_000)) { try ImageDecoder().decode(bytes) }
    }
}

import CDeflate

func libdeflateCRC32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    libdeflate_crc32(0, bytes.baseAddress, bytes.count)
}
