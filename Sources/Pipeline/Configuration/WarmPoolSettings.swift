/// The EC2 fleet's warm pool: up to `size` instances that stop instead of terminating when idle
/// and are started again (`startSeconds`, instead of a cold boot's `scaling.bootSeconds`) before
/// anything new is launched. A stopped instance costs only its volume.
public struct WarmPoolSettings: Codable, Sendable, Equatable {
    /// How many instances are kept as pool members; 0 turns the pool off (idle workers terminate).
    public var size = 0
    /// Seconds from StartInstances until a stopped member's worker takes work again.
    public var startSeconds = 20.0

    public init() {}
}

extension WarmPoolSettings {
    /// The pool's checks, for `Configuration.validate`.
    func validate() throws(ConfigurationError) {
        guard size >= 0 else { throw .outOfRange(keyPath: "scaling.warmPool.size", reason: "cannot be negative (0 turns the pool off)") }
        guard startSeconds >= 0 else { throw .outOfRange(keyPath: "scaling.warmPool.startSeconds", reason: "cannot be negative") }
    }
}
