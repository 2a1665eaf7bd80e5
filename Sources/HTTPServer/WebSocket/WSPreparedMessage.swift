/// A message encoded once for many connections: the plain frame, and the compressed frame for
/// connections whose permessage-deflate settings make a shared compressed frame valid.
///
/// Arrays are copy-on-write, so queuing the same frame on N connections shares one buffer.
public struct WSPreparedMessage: Sendable {
    public let plainFrame: [UInt8]
    /// Compressed with a fresh 15-bit window, so any client may inflate it; nil when not prepared.
    public let compressedFrame: [UInt8]?

    /// - Parameter compress: also prepare the compressed form (costs one deflate per broadcast).
    /// - Parameter pool: compressors to borrow (15-bit window); without one a compressor is made for this message.
    public init(_ message: WSMessage, compress: Bool = false, compressionThreshold: Int = 64,
                pool: WSDeflaterPool? = nil) {
        let payload = message.payload
        plainFrame = WSFrameEncoder.encode(WSFrame(opcode: message.opcode, payload: payload))
        guard compress, payload.count >= compressionThreshold else { compressedFrame = nil; return }
        let compressed = pool.flatMap { $0.windowBits == 15 ? $0.compressMessage(payload) : nil }
            ?? (try? WSDeflater(windowBits: 15, noContextTakeover: true))?.compressMessage(payload)
        compressedFrame = compressed.map { WSFrameEncoder.encode(WSFrame(rsv1: true, opcode: message.opcode, payload: $0)) }
    }

    /// The frame to send on a connection with these deflate parameters.
    ///
    /// The shared compressed frame is valid only where we reset our compressor after every
    /// message (server_no_context_takeover) with a full window: otherwise the connection's own
    /// compressor history and the client's would diverge (RFC 7692 §7.2.1).
    func frame(for deflate: WSDeflateParameters?) -> [UInt8] {
        if let compressedFrame, let deflate, deflate.serverNoContextTakeover, deflate.serverMaxWindowBits == 15 {
            return compressedFrame
        }
        return plainFrame
    }
}
