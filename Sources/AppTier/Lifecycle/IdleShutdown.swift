import Foundation
import Logging

/// What a worker does when it has been idle long enough: in local mode it just exits; on EC2 it
/// terminates its own instance so that an idle fleet stops costing money.
public protocol IdleShutdown: Sendable {
    /// Carries out the shutdown; returns the process exit status to use.
    func shutDownIdleWorker(logger: Logger) async -> Int32
}

/// Local mode: the process exits 0 and the local fleet reaps it.
public struct LocalIdleShutdown: IdleShutdown {
    public init() {}

    public func shutDownIdleWorker(logger: Logger) async -> Int32 {
        logger.info("idle: exiting (local mode)")
        return 0
    }
}
