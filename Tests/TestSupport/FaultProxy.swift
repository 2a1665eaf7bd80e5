import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy on loopback between a client under test and a real server (moto), which a test can
/// switch into failure modes: whole connections (reset at once, or held silent) or single requests
/// (delayed, reset after the server has acted on them, answered 503), either every request or a
/// random `FaultMix` for a window of time. It forwards bytes untouched, so signatures and
/// protocols are the real ones.
public final class FaultProxy: @unchecked Sendable {
    // @unchecked: `mode`, `counts`, `faults`, `mix`, `mixUntil` and `generator` are guarded by
    // `lock`; `listener` is immutable after init.
    public enum Mode: Sendable, Equatable {
        case pass
        /// Accept and reset at once (as if the server crashed).
        case reset
        /// Accept and say nothing until the client gives up (a black hole / partition).
        case silent
        /// Hold each request this long before forwarding it (a slow network or server).
        case delay(Duration)
        /// Forward each request, then reset the connection instead of delivering its response:
        /// the server has acted, the client cannot know (a connection lost mid-call).
        case resetAfterRequest
        /// Answer each request 503 in the service's error shape without forwarding it.
        case serviceUnavailable

        /// The name faults are counted under.
        public var kind: String {
            switch self {
            case .pass: return "pass"
            case .reset: return "reset"
            case .silent: return "silent"
            case .delay: return "delay"
            case .resetAfterRequest: return "resetAfterRequest"
            case .serviceUnavailable: return "serviceUnavailable"
            }
        }

        var isPerRequest: Bool {
            switch self {
            case .delay, .resetAfterRequest, .serviceUnavailable: return true
            case .pass, .reset, .silent: return false
            }
        }
    }

    private let lock = NSLock()
    private var mode: Mode = .pass
    private var counts: [String: Int] = [:]
    private var faults: [String: Int] = [:]
    private var mix = FaultMix()
    private var mixUntil: ContinuousClock.Instant?
    private var generator: SeededGenerator
    private var listener: LoopbackListener!
    /// The requests that passed through (whatever fault they met).
    public let tally = HTTPRequestTally()

    /// `seed` fixes the draws of a `FaultMix`, so a failing run can be replayed.
    public init(targetPort: UInt16, seed: UInt64 = UInt64.random(in: 0...UInt64.max)) throws {
        generator = SeededGenerator(seed: seed)
        listener = try LoopbackListener { [weak self] client in
            guard let self else { close(client); return }
            self.handle(client, targetPort: targetPort)
        }
    }

    public var endpoint: URL { listener.endpoint }

    public func setMode(_ newMode: Mode) { lock.withLock { mode = newMode } }

    /// From now on, for `duration`, each request draws its fault from `mix` (a mode other than
    /// `.pass` set with `setMode` takes precedence).
    public func inject(_ newMix: FaultMix, for duration: Duration) {
        lock.withLock {
            mix = newMix
            mixUntil = .now + duration
        }
    }

    /// Ends the window of `inject` early.
    public func stopInjecting() { lock.withLock { mixUntil = nil } }

    /// Whether a window of `inject` is open.
    public var isInjecting: Bool { lock.withLock { mixUntil.map { ContinuousClock.now < $0 } ?? false } }

    /// Connections seen in each mode so far.
    public var connectionCounts: [String: Int] { lock.withLock { counts } }

    /// Requests that met each per-request fault so far, by `Mode.kind`.
    public var faultCounts: [String: Int] { lock.withLock { faults } }

    public func stop() { listener.stop() }

    private func handle(_ client: Int32, targetPort: UInt16) {
        let current = lock.withLock { () -> Mode in
            counts[mode.kind, default: 0] += 1
            return mode
        }
        switch current {
        case .reset:
            FaultProxyRelay.abort(client)
            close(client)
        case .silent:
            // Hold the connection open without answering until the mode changes, then drop it.
            while lock.withLock({ mode }) == .silent { usleep(50_000) }
            close(client)
        case .pass, .delay, .resetAfterRequest, .serviceUnavailable:
            let upstream = LoopbackSocket.connect(port: targetPort)
            guard upstream >= 0 else { close(client); return }
            FaultProxyRelay(client: client, upstream: upstream, tally: tally) { [weak self] in
                self?.fault(forRequestAt: .now) ?? nil
            }.run()
            close(client)
            close(upstream)
        }
    }

    /// The fault for the request whose head has just been read, counted; nil to pass it.
    private func fault(forRequestAt now: ContinuousClock.Instant) -> Mode? {
        lock.withLock {
            var chosen: Mode?
            if mode.isPerRequest {
                chosen = mode
            } else if let until = mixUntil, now < until {
                chosen = mix.fault(forDraw: Double(generator.next() >> 11) / Double(1 << 53))
            }
            if let chosen { faults[chosen.kind, default: 0] += 1 }
            return chosen
        }
    }
}
