import Testing
@testable import HTTPServer

/// The incremental UTF-8 validator against Swift's own decoder, at every split point.
@Suite struct WSUTF8ValidatorTests {
    static let samples: [[UInt8]] = [
        Array("plain ascii that is longer than a word".utf8),
        Array("κόσμε — ünïcödé € 😀 𝄞 \u{10FFFF}".utf8),
        [0xEF, 0xBB, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xED, 0x9F, 0xBF],
        [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xF0, 0x80, 0x80, 0xAF], [0xED, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
        [0xF5, 0x80, 0x80, 0x80], [0xFE], [0xBF], [0xC2], [0xE2, 0x82], Array("abcdefgh".utf8) + [0xC3],
        Array("abcdefgh".utf8) + [0x80] + Array("abcdefgh".utf8),
    ]

    @Test("agrees with Swift's UTF-8 decoder on valid and invalid samples, whole and split at every byte")
    func agreesWithStandardLibrary() {
        for sample in Self.samples {
            let expected = String(validating: sample, as: UTF8.self) != nil
            #expect(UTF8StreamValidator.isValid(sample) == expected, "sample \(sample)")
            for split in 0...sample.count {
                var validator = UTF8StreamValidator()
                let ok = validator.validate(Array(sample[..<split])) && validator.validate(Array(sample[split...]))
                #expect((ok && validator.isAtBoundary) == expected, "sample \(sample) split at \(split)")
            }
        }
    }

    @Test("every single code point round-trips through the validator (exhaustive over scalars)")
    func exhaustiveScalars() {
        var all: [UInt8] = []
        for value in stride(from: 0, through: 0x10FFFF, by: 1) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            all.append(contentsOf: String(scalar).utf8)
        }
        #expect(UTF8StreamValidator.isValid(all))
    }

    @Test("surrogate code points (encoded as 3 bytes) are invalid", arguments: [0xD800, 0xDBFF, 0xDC00, 0xDFFF])
    func surrogates(value: Int) {
        let bytes: [UInt8] = [0xE0 | UInt8(value >> 12), 0x80 | UInt8((value >> 6) & 0x3F), 0x80 | UInt8(value & 0x3F)]
        #expect(!UTF8StreamValidator.isValid(bytes))
    }
}
