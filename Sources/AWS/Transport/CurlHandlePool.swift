import CCurl
import Foundation

/// One libcurl easy handle. Reusing it keeps its connection cache, DNS cache and TLS sessions,
/// so a second request to the same host skips connect and handshake.
final class CurlEasyHandle {
    let raw: UnsafeMutableRawPointer

    init?() {
        _ = CurlHandlePool.globalInitialisation
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
    }

    deinit { curl_easy_cleanup(raw) }
}

/// Idle easy handles waiting for the next transfer; a handle is owned by exactly one transfer
/// at a time (checked out, used on one Dispatch thread, checked back in).
///
/// `@unchecked Sendable`: `idle` is only touched while `lock` is held, and a checked-out handle
/// is reachable from one thread only.
final class CurlHandlePool: @unchecked Sendable {
    /// `curl_global_init` is not thread-safe and must run once before any other call; a static
    /// `let` initialiser runs exactly once, under Swift's lazy-global lock.
    static let globalInitialisation: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private let lock = NSLock()
    private var idle: [CurlEasyHandle] = []
    let maximumIdle: Int

    init(maximumIdle: Int = 32) { self.maximumIdle = maximumIdle }

    func checkOut() -> CurlEasyHandle? {
        lock.lock()
        let handle = idle.popLast()
        lock.unlock()
        if let handle {
            // Clears options from the previous transfer but keeps its live connections.
            curl_easy_reset(handle.raw)
            return handle
        }
        return CurlEasyHandle()
    }

    func checkIn(_ handle: CurlEasyHandle) {
        lock.lock()
        defer { lock.unlock() }
        if idle.count < maximumIdle { idle.append(handle) }
    }

    var idleCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return idle.count
    }
}
