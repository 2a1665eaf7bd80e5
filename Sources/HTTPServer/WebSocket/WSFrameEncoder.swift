/// Writes frames in wire format (RFC 6455 §5.2), always with the minimal length encoding.
public enum WSFrameEncoder {
    /// The header for a frame: 2, 4 or 10 bytes, plus 4 for a mask key.
    public static func header(fin: Bool, rsv1: Bool = false, opcode: WSOpcode, payloadLength: Int,
                              maskKey: (UInt8, UInt8, UInt8, UInt8)? = nil) -> [UInt8] {
        var header: [UInt8] = []
        header.reserveCapacity(14)
        header.append((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode.rawValue)
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        switch payloadLength {
        case 0...125:
            header.append(maskBit | UInt8(payloadLength))
        case 126...0xFFFF:
            header.append(maskBit | 126)
            header.append(UInt8(payloadLength >> 8))
            header.append(UInt8(payloadLength & 0xFF))
        default:
            header.append(maskBit | 127)
            let length = UInt64(payloadLength)
            for shift in stride(from: 56, through: 0, by: -8) { header.append(UInt8((length >> UInt64(shift)) & 0xFF)) }
        }
        if let key = maskKey { header.append(contentsOf: [key.0, key.1, key.2, key.3]) }
        return header
    }

    /// Bytes an unmasked frame with this payload length takes on the wire.
    public static func frameSize(payloadLength: Int) -> Int {
        payloadLength + (payloadLength <= 125 ? 2 : payloadLength <= 0xFFFF ? 4 : 10)
    }

    /// The whole frame. Servers send unmasked frames; pass `maskKey` to encode as a client (§5.3).
    public static func encode(_ frame: WSFrame, maskKey: (UInt8, UInt8, UInt8, UInt8)? = nil) -> [UInt8] {
        var bytes = header(fin: frame.fin, rsv1: frame.rsv1, opcode: frame.opcode,
                           payloadLength: frame.payload.count, maskKey: maskKey)
        let payloadStart = bytes.count
        bytes.append(contentsOf: frame.payload)
        if let key = maskKey {
            bytes.withUnsafeMutableBytes { raw in
                WSMasking.apply(key: key, to: UnsafeMutableRawBufferPointer(rebasing: raw[payloadStart...]))
            }
        }
        // RSV2/RSV3 are never set by us: no extension we speak defines them.
        if frame.rsv2 { bytes[0] |= 0x20 }
        if frame.rsv3 { bytes[0] |= 0x10 }
        return bytes
    }
}
