#if canImport(Glibc)
import Glibc
#endif

/// The daemons' first step: unblock SIGTERM and SIGINT on the calling thread. A parent that
/// spawned us from a thread blocking them (Foundation's `Process` does, from Dispatch threads)
/// would otherwise leave us deaf to the signals that start a graceful stop.
public enum TerminationSignalMask {
    public static func unblock() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
