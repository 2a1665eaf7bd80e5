import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy on loopback between a client under test and a real server (moto), which a test can
/// switch into failure modes: refuse connections by resetting them, or hold them silent. It
/// forwards bytes untouched, so signatures and protocols are the real ones.
public final class FaultProxy: @unchecked Sendable {
    // @unchecked: `mode` and `counts` are guarded by `lock`; `listener` is immutable after init.
    public enum Mode: Sendable, Equatable {
        case pass
        /// Accept and reset at once (as if the server crashed).
        case reset
        /// Accept and say nothing until the client gives up (a black hole / partition).
        case silent
    }

    private let lock = NSLock()
    private var mode: Mode = .pass
    private var counts: [String: Int] = [:]
    private var listener: LoopbackListener!
    /// The requests passed through (in `.pass` mode).
    public let tally = HTTPRequestTally()

    public init(targetPort: UInt16) throws {
        listener = try LoopbackListener { [weak self] client in
            guard let self else { close(client); return }
            self.handle(client, targetPort: targetPort)
        }
    }

    public var endpoint: URL { listener.endpoint }

    public func setMode(_ newMode: Mode) { lock.withLock { mode = newMode } }

    /// Connections seen in each mode so far.
    public var connectionCounts: [String: Int] { lock.withLock { counts } }

    public func stop() { listener.stop() }

    private func handle(_ client: Int32, targetPort: UInt16) {
        let current = lock.withLock { () -> Mode in
            counts["\(mode)", default: 0] += 1
            return mode
        }
        switch current {
        case .reset:
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            close(client)
        case .silent:
            // Hold the connection open without answering until the mode changes, then drop it.
            while lock.withLock({ mode }) == .silent { usleep(50_000) }
            close(client)
        case .pass:
            let upstream = LoopbackSocket.connect(port: targetPort)
            guard upstream >= 0 else { close(client); return }
            let done = DispatchSemaphore(value: 0)
            Thread { Self.pump(from: upstream, to: client); done.signal() }.start()
            var scanner = HTTPRequestTally.Scanner(tally: tally)
            Self.pump(from: client, to: upstream) { scanner.feed($0) }
            done.wait()
            close(client)
            close(upstream)
        }
    }

    /// Copies bytes until EOF, then half-closes the other side so the peer sees the end too.
    private static func pump(from source: Int32, to destination: Int32, observe: (ArraySlice<UInt8>) -> Void = { _ in }) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            observe(buffer[0..<count])
            if !LoopbackSocket.writeAll(destination, Array(buffer[0..<count])) { break }
        }
        shutdown(destination, Int32(SHUT_WR))
    }
}
