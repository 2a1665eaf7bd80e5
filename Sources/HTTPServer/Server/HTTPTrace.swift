#if HTTP_TRACE
import Glibc
import Synchronization

/// Per-stage latency samples for a tracing build (`-Xswiftc -DHTTP_TRACE`), printed by
/// `Server.stop`: where a request's time goes between the socket becoming readable and its
/// response being in the kernel. Absent from normal builds.
///
/// Process-wide on purpose (a static lock around the samples): it is a measuring instrument
/// that exists only in tracing builds, and passing it through every layer would cost the very
/// code paths it measures.
enum HTTPTrace {
    enum Stage: Int, CaseIterable {
        /// epoll reported the socket ready → the waiting task runs again.
        case readyToResume
        /// The read that completed a request head → the head decoded.
        case decode
        /// The handler, from the call to its response.
        case handler
        /// Encoding the response and handing it to the kernel.
        case write

        var name: String {
            switch self {
            case .readyToResume: "ready → resume"
            case .decode: "decode"
            case .handler: "handler"
            case .write: "encode + write"
            }
        }
    }

    private static let samples = Mutex<[[Int32]]>(Array(repeating: [], count: Stage.allCases.count))

    /// Monotonic nanoseconds.
    static func now() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
    }

    static func record(_ stage: Stage, since start: Int) {
        let elapsed = Int32(clamping: now() - start)
        samples.withLock { samples in
            if samples[stage.rawValue].count < 4_000_000 { samples[stage.rawValue].append(elapsed) }
        }
    }

    /// One line per stage: count, p50, p99, p99.9, max in microseconds.
    static func report() -> String {
        samples.withLock { samples in
            var lines = ["stage              count       p50 µs   p99 µs   p99.9 µs  max µs"]
            for stage in Stage.allCases {
                let sorted = samples[stage.rawValue].sorted()
                guard !sorted.isEmpty else { continue }
                func at(_ quantile: Double) -> String {
                    let value = Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * quantile))]) / 1000
                    return String(Int(value.rounded()))
                }
                let cells = [stage.name, String(sorted.count), at(0.5), at(0.99), at(0.999), at(1)]
                let widths = [19, 12, 9, 9, 10, 8]
                lines.append(zip(cells, widths).map { $0.padding(to: $1) }.joined())
            }
            return lines.joined(separator: "\n")
        }
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
#endif
