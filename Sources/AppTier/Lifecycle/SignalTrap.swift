import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGTERM and SIGINT into a `ShutdownSignal` request, so a stop drains in-flight jobs
/// instead of killing them mid-way (systemd sends SIGTERM; Ctrl-C sends SIGINT). A second signal
/// while draining exits at once, for the impatient.
public final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    /// Installs the handlers. Keep the returned value alive for as long as they should work.
    /// (Set up from a nonisolated function: a handler created in top-level code would be
    /// inferred @MainActor and trap when Dispatch calls it on another queue.)
    public init(shutdown: ShutdownSignal, queue: DispatchQueue = DispatchQueue(label: "apptier.signals")) {
        signal(SIGPIPE, SIG_IGN)
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            let name = number == SIGTERM ? "SIGTERM" : "SIGINT"
            source.setEventHandler { @Sendable in
                Task {
                    if await shutdown.isRequested { exit(130) }
                    await shutdown.request(reason: name)
                }
            }
            source.resume()
            return source
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
    }
}
