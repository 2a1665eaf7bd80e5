/// The XOR masking of RFC 6455 §5.3, applied eight bytes at a time.
///
/// Masking is its own inverse, so the same function masks (client side) and unmasks (server side).
public enum WSMasking {
    /// XORs `bytes` in place with the 4-byte `key`, starting at key phase 0.
    public static func apply(key: (UInt8, UInt8, UInt8, UInt8), to bytes: UnsafeMutableRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let count = bytes.count
        // The key repeated to 8 bytes, in memory order: loading it as a UInt64 and XORing whole
        // words is endian-neutral because the payload words are loaded in the same memory order.
        // Built byte by byte in place: loading it from an 8-byte array with `loadUnaligned` was
        // miscompiled at -O by Swift 6.3.1 (only the first key byte survived; see WSFrameCodecTests).
        var wideKey: UInt64 = 0
        withUnsafeMutableBytes(of: &wideKey) { wide in
            for index in 0..<8 {
                switch index & 3 {
                case 0: wide[index] = key.0
                case 1: wide[index] = key.1
                case 2: wide[index] = key.2
                default: wide[index] = key.3
                }
            }
        }
        var offset = 0
        while offset + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            base.storeBytes(of: word ^ wideKey, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < count {
            let keyByte: UInt8
            switch offset & 3 {
            case 0: keyByte = key.0
            case 1: keyByte = key.1
            case 2: keyByte = key.2
            default: keyByte = key.3
            }
            base.storeBytes(of: base.load(fromByteOffset: offset, as: UInt8.self) ^ keyByte,
                            toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
    }

    /// XORs an array in place.
    public static func apply(key: (UInt8, UInt8, UInt8, UInt8), to bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { apply(key: key, to: $0) }
    }
}
