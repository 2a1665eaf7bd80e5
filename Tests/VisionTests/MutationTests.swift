import Foundation
import Testing
import TestSupport
@testable import Vision

/// Damaged files never crash the decoder: thousands of deterministic byte mutations of real JPEG
/// and PNG fixtures each either decode to a well-formed image or give an `ImageError`.
@Suite struct MutationTests {

    @Test(arguments: ["baseline", "progressive", "cmyk", "exif_6", "rgba", "grey_alpha", "palette256", "palette_transparent", "rgb16"])
    func mutatedFilesDecodeOrFailCleanly(name: String) throws {
        let fixtures = try PythonFixtures.images.get()
        let original = [UInt8](try fixtures.bytes(name))
        var generator = SeededGenerator(seed: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        let decoder = ImageDecoder(options: DecodingOptions(maxPixels: 4_000_000))
        var decoded = 0, refused = 0
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                let position = Int.random(in: 2..<bytes.count, using: &generator)  // keep the magic
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
                default: bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...64, using: &generator)))
                }
                if bytes.count < 3 { break }
            }
            do {
                let image = try decoder.decode(bytes)
                #expect(image.pixels.count == image.width * image.height * 3)
                decoded += 1
            } catch {
                refused += 1
            }
        }
        // Every outcome is a decode or an ImageError (typed throws); what can fail is whether
        // the mutations reached the decoder's checks at all.
        #expect(refused > 0, "some mutations must be refused, or the mutations did not reach the decoder (\(decoded) decoded)")
    }

    /// Mutations inside PNG chunk data with the CRCs repaired, so that damage reaches the fast
    /// path's inflate, unfilter and palette lookups instead of stopping at the CRC check.
    @Test(arguments: ["rgba", "grey_alpha", "palette256", "grey_png"])
    func pngDataMutationsWithValidCRCsDecodeOrFailCleanly(name: String) throws {
        let fixtures = try PythonFixtures.images.get()
        let original = [UInt8](try fixtures.bytes(name))
        var generator = SeededGenerator(seed: 0xC0FFEE &+ UInt64(name.utf8.count))
        let decoder = ImageDecoder(options: DecodingOptions(maxPixels: 4_000_000))
        var decoded = 0, refused = 0
        for _ in 0..<300 {
            var bytes = original
            let chunks = Self.chunks(bytes)
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let chunk = chunks.randomElement(using: &generator)!
                guard !chunk.data.isEmpty else { continue }
                bytes[Int.random(in: chunk.data, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            for chunk in chunks {
                let crc = bytes[(chunk.data.lowerBound - 4)..<chunk.data.upperBound].withUnsafeBytes { libdeflateCRC32($0) }
                for index in 0..<4 { bytes[chunk.data.upperBound + index] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * index)) }
            }
            do {
                let image = try decoder.decode(bytes)
                #expect(image.pixels.count == image.width * image.height * 3)
                decoded += 1
            } catch {
                refused += 1
            }
        }
        #expect(refused > 0, "some mutations must be refused, or the mutations did not reach the data (\(decoded) decoded)")
    }

    /// The chunks of a PNG: the range of each one's data (type precedes it, CRC follows).
    static func chunks(_ bytes: [UInt8]) -> [(type: String, data: Range<Int>)] {
        var result: [(String, Range<Int>)] = []
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard offset + 12 + length <= bytes.count else { break }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            result.append((type, (offset + 8)..<(offset + 8 + length)))
            offset += 12 + length
        }
        return result
    }
}
