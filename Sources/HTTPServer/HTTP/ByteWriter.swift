/// Writes bytes into memory whose size the caller bounded in advance.
///
/// The response encoder measures a head before writing it, then writes each piece with one
/// copy: appending the pieces to an array instead checks uniqueness and capacity on every
/// append, about 90 instructions each under callgrind, nine times a response. A write past
/// the bound traps rather than overrun the buffer.
struct ByteWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    /// A fresh array holding what `write` writes, which must not exceed `bound` bytes.
    static func array(bound: Int, _ write: (inout ByteWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
            var writer = ByteWriter(buffer)
            write(&writer)
            initialized = writer.count
        }
    }

    mutating func write(_ byte: UInt8) {
        precondition(count < buffer.count, "ByteWriter: write past the bound")
        buffer[count] = byte
        count += 1
    }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count <= buffer.count - count, "ByteWriter: write past the bound")
        guard let source = bytes.baseAddress, let target = buffer.baseAddress else { return }
        (target + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func write(_ literal: StaticString) {
        literal.withUTF8Buffer { write($0) }
    }

    mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { write($0) }
    }

    /// Labelled so that a literal picks the `StaticString` overload, not a `String` built for it.
    mutating func write(utf8Of text: some StringProtocol) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { write($0) }
        if copied == nil {
            for byte in text.utf8 { write(byte) }
        }
    }

    /// `text`, with CR, LF and NUL written as spaces (so a value cannot start a header line).
    mutating func writeSanitized(_ text: some StringProtocol) {
        let start = count
        write(utf8Of: text)
        // One test a byte: bits 0, 10 and 13 of the mask mark NUL, LF and CR.
        for index in start..<count where buffer[index] <= 0x0D && (0x2401 >> buffer[index]) & 1 == 1 {
            buffer[index] = 0x20
        }
    }

    /// A positive integer's decimal digits, without building a string; "0" for anything else.
    mutating func writeDecimal(_ value: Int) {
        guard value > 0 else { return write(UInt8(ascii: "0")) }
        let start = count
        var rest = value
        while rest > 0 {
            write(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        buffer[start..<count].reverse()
    }
}
