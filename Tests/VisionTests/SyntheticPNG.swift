import CDeflate
import Foundation
import TestSupport

/// Writes 8-bit PNGs whose rows carry chosen filter types over arbitrary bytes (any bytes are
/// valid filtered data), so that every unfilter path meets every pixel size and row width,
/// including the last pixel of the last row.
struct SyntheticPNG {
    var width: Int
    var height: Int
    var colorType: UInt8
    var seed: UInt64
    /// Filtered bytes below this (256: any); small values make the Paeth predictor's ties common.
    var byteRange: UInt64 = 256

    var channels: Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType]! }

    func encoded() -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        var raw: [UInt8] = []
        for row in 0..<height {
            raw.append(UInt8(row % 5))  // filters None, Sub, Up, Average, Paeth in turn
            for _ in 0..<(width * channels) {
                // Palette indices stay inside the 4-entry palette below.
                raw.append(UInt8(generator.next() % (colorType == 3 ? 4 : byteRange)))
            }
        }
        if colorType == 3 {
            // Sub/Up/Average/Paeth of palette indices may leave the palette: keep palette rows unfiltered.
            for row in 0..<height { raw[row * (width + 1)] = 0 }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = Self.bigEndian(UInt32(width)) + Self.bigEndian(UInt32(height))
        header += [8, colorType, 0, 0, 0]
        Self.append(chunk: "IHDR", header, to: &png)
        if colorType == 3 { Self.append(chunk: "PLTE", [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 99, 199], to: &png) }
        let compressed = Self.zlib(raw)
        // Split the stream over several IDAT chunks, as encoders do.
        var offset = 0
        while offset < compressed.count {
            let end = min(offset + 97, compressed.count)
            Self.append(chunk: "IDAT", Array(compressed[offset..<end]), to: &png)
            offset = end
        }
        Self.append(chunk: "IEND", [], to: &png)
        return png
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func append(chunk type: String, _ data: [UInt8], to png: inout [UInt8]) {
        let typed = Array(type.utf8) + data
        png += bigEndian(UInt32(data.count)) + typed
        png += bigEndian(typed.withUnsafeBytes { libdeflate_crc32(0, $0.baseAddress, $0.count) })
    }

    static func zlib(_ data: [UInt8]) -> [UInt8] {
        let compressor = libdeflate_alloc_compressor(6)!
        defer { libdeflate_free_compressor(compressor) }
        var output = [UInt8](repeating: 0, count: libdeflate_zlib_compress_bound(compressor, data.count))
        let size = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { libdeflate_zlib_compress(compressor, input.baseAddress, input.count, $0.baseAddress, $0.count) }
        }
        return Array(output[0..<size])
    }
}
