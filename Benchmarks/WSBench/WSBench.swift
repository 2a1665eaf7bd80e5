import HTTPServer

/// Throughput of the inbound WebSocket path (no sockets): unmasking, UTF-8 validation, and the
/// whole decoder + assembler, each beside a straightforward baseline in the same run.
@main
struct WSBench {
    static func main() {
        let megabytes = 64
        let payload = (0..<(megabytes << 20)).map { UInt8(0x20 + $0 % 90) }  // printable ASCII
        let key: (UInt8, UInt8, UInt8, UInt8) = (0x12, 0x34, 0x56, 0x78)
        var rows: [(String, Double, Double)] = []

        var buffer = payload
        let wordWise = measure(bytes: buffer.count) { WSMasking.apply(key: key, to: &buffer) }
        let byteWise = measure(bytes: buffer.count) {
            let keyBytes = [key.0, key.1, key.2, key.3]
            for index in buffer.indices { buffer[index] ^= keyBytes[index & 3] }
        }
        rows.append(("unmask: word-at-a-time vs byte loop", wordWise, byteWise))

        let text = Array(String(repeating: "ascii and ünïcödé € 😀 ", count: (megabytes << 20) / 32).utf8)
        let validator = measure(bytes: text.count) { precondition(UTF8StreamValidator.isValid(text)) }
        let standard = measure(bytes: text.count) { precondition(String(validating: text, as: UTF8.self) != nil) }
        rows.append(("UTF-8 check (mixed text): ours vs String(validating:)", validator, standard))

        let validatorASCII = measure(bytes: payload.count) { precondition(UTF8StreamValidator.isValid(payload)) }
        let standardASCII = measure(bytes: payload.count) { precondition(String(validating: payload, as: UTF8.self) != nil) }
        rows.append(("UTF-8 check (ASCII): ours vs String(validating:)", validatorASCII, standardASCII))

        // 16 KiB masked frames fed in 64 KiB reads through WSInbound (decode, unmask, reassemble);
        // text adds the UTF-8 check, so the ratio is the price of validation on the whole path.
        let textPath = inboundThroughput(payload: payload, opcode: .text, key: key, megabytes: megabytes)
        let binaryPath = inboundThroughput(payload: payload, opcode: .binary, key: key, megabytes: megabytes)
        rows.append(("inbound path, 16 KiB frames: text vs binary", textPath, binaryPath))

        print("\nWebSocket inbound throughput, \(megabytes) MiB per run, best of 5 (release build)")
        print("case".padding(toLength: 54, withPad: " ", startingAt: 0), "ours MB/s".leftPadded(10),
              "baseline MB/s".leftPadded(14), "ratio".leftPadded(7))
        for (name, ours, baseline) in rows {
            print(name.padding(toLength: 54, withPad: " ", startingAt: 0), String(format0(ours)).leftPadded(10),
                  String(format0(baseline)).leftPadded(14), (format2(ours / baseline) + "x").leftPadded(7))
        }
    }

    static func inboundThroughput(payload: [UInt8], opcode: WSOpcode, key: (UInt8, UInt8, UInt8, UInt8),
                                  megabytes: Int) -> Double {
        let frame = WSFrameEncoder.encode(WSFrame(opcode: opcode, payload: Array(payload.prefix(16 << 10))), maskKey: key)
        var wire: [UInt8] = []
        while wire.count < megabytes << 20 { wire += frame }
        return measure(bytes: wire.count) {
            var inbound = WSInbound()
            var offset = 0, messages = 0
            while offset < wire.count {
                let end = min(offset + 65536, wire.count)
                let output = wire[offset..<end].withUnsafeBytes { inbound.receive($0) }
                precondition(output.error == nil)
                messages += output.events.count
                offset = end
            }
            precondition(messages == wire.count / frame.count)
        }
    }

    /// Best-of-5 throughput in MB/s.
    static func measure(bytes: Int, _ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        var best = Duration.seconds(1000)
        for _ in 0..<5 {
            let elapsed = clock.measure(body)
            best = min(best, elapsed)
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
        return Double(bytes) / 1e6 / seconds
    }

    static func format0(_ value: Double) -> String { String(Int(value.rounded())) }
    static func format2(_ value: Double) -> String { String(Double(Int((value * 100).rounded())) / 100) }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
