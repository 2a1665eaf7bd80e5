import Dispatch
import Glibc
import CommandSupport
import Synchronization

/// SIGTERM and SIGINT as an awaitable event, so the web tier stops gracefully (stop accepting,
/// stop the autoscaler, stop local workers) instead of dying mid-request. A second signal exits
/// at once, for the impatient.
final class TerminationSignals {
    private let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    private let sources: [any DispatchSourceSignal]

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        self.stream = stream
        self.continuation = continuation
        TerminationSignalMask.unblock()
        signal(SIGPIPE, SIG_IGN)
        let queue = DispatchQueue(label: "webtier.signals")
        let received = Atomic<Int>(0)
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            let name = number == SIGTERM ? "SIGTERM" : "SIGINT"
            source.setEventHandler { @Sendable in
                if received.wrappingAdd(1, ordering: .relaxed).oldValue > 0 { exit(130) }
                continuation.yield(name)
            }
            source.resume()
            return source
        }
    }

    /// Waits for the first signal and returns its name.
    func wait() async -> String {
        for await name in stream { return name }
        return "end"
    }

    deinit {
        sources.forEach { $0.cancel() }
    }
}
