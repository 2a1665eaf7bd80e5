import ArgumentParser
import Dispatch
import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `faultproxy`: a `FaultProxy` in front of moto for scripts (scripts/chaos). It passes every
/// request until it gets SIGUSR1, then for `--window` seconds gives each request the probability
/// `--probability` of a fault (split evenly: delay, reset after the request, 503). Its counts go
/// to `--stats` as JSON twice a second and on exit (SIGINT or SIGTERM).
@main
struct FaultProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faultproxy",
        abstract: "A fault-injecting TCP proxy in front of moto (scripts/chaos).")

    @Option(help: "The server to proxy (loopback), e.g. http://127.0.0.1:5005.")
    var target: String

    @Option(help: "Write the proxy's endpoint (http://127.0.0.1:PORT) here once it listens.")
    var endpointFile: String

    @Option(help: "Write the counts here as JSON (requests, faults by kind, windows opened).")
    var stats: String

    @Option(help: "Per-request probability of a fault while a window is open.")
    var probability = 0.3

    @Option(help: "Seconds a window stays open after SIGUSR1.")
    var window = 20.0

    @Option(help: "Milliseconds a delayed request is held.")
    var delayMs = 500

    @Option(help: "Seed for the fault draws (random when omitted).")
    var seed: UInt64?

    func validate() throws {
        guard let url = URL(string: target), let host = url.host, host == "127.0.0.1" || host == "localhost",
              url.port != nil else {
            throw ValidationError("--target must be a loopback URL with a port, got '\(target)'")
        }
        guard (0...1).contains(probability) else { throw ValidationError("--probability must be within 0...1") }
        guard window > 0, delayMs >= 0 else { throw ValidationError("--window must be positive, --delay-ms not negative") }
    }

    func run() throws {
        let port = UInt16(URL(string: target)!.port!)
        let seed = seed ?? UInt64.random(in: 0...UInt64.max)
        let proxy = try FaultProxy(targetPort: port, seed: seed)
        let mix = FaultMix.even(probability: probability, delayDuration: .milliseconds(delayMs))
        let signals = ProxySignals()
        try (proxy.endpoint.absoluteString + "\n").write(toFile: endpointFile, atomically: true, encoding: .utf8)
        Self.say("faultproxy: \(proxy.endpoint) → \(target), p=\(probability) for \(window) s per SIGUSR1, seed \(seed)")
        var windowsOpened = 0
        while !signals.stopRequested {
            let requested = signals.windowsRequested
            if requested > windowsOpened {
                windowsOpened = requested
                proxy.inject(mix, for: .milliseconds(Int(window * 1000)))
                Self.say("faultproxy: fault window \(windowsOpened) open for \(window) s")
            }
            try writeStats(proxy, windows: windowsOpened)
            usleep(500_000)
        }
        try writeStats(proxy, windows: windowsOpened)
        Self.say("faultproxy: stopped; faults \(proxy.faultCounts.sorted { $0.key < $1.key })")
        proxy.stop()
    }

    /// Unbuffered, so the lines reach a log file as they happen.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func writeStats(_ proxy: FaultProxy, windows: Int) throws {
        let object: [String: Any] = [
            "requests": proxy.tally.requests.count, "faults": proxy.faultCounts,
            "injecting": proxy.isInjecting, "windows": windows,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        try data.write(to: URL(fileURLWithPath: stats), options: .atomic)
    }
}

/// SIGUSR1 (open a window) and SIGINT/SIGTERM (stop), counted by dispatch sources.
final class ProxySignals: @unchecked Sendable {
    // @unchecked: `windows`, `stop` and `sources` are only touched under `lock`.
    private let lock = NSLock()
    private var windows = 0
    private var stop = false
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for number in [SIGUSR1, SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.withLock { if number == SIGUSR1 { self.windows += 1 } else { self.stop = true } }
            }
            source.resume()
            sources.append(source)
        }
    }

    var windowsRequested: Int { lock.withLock { windows } }
    var stopRequested: Bool { lock.withLock { stop } }
}
