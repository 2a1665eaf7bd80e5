/// The EC2 fleet's warm pool: up to `size` instances that stop instead of terminating when idle
/// and are started again (`startSeconds`, instead of a cold boot's `scaling.bootSeconds`) before
/// anything new is launched. A stopped instance costs only its volume.
public struct WarmPoolSettings: Codable, Sendable, Equatable {
    /// How many instances are kept as pool members; 0 turns the pool off (idle workers terminate).
    public var size = 0
    /// Seconds from StartInstances until a stopped member's worker takes work again.
    public var startSeconds = 20.0
    /// Whether the controller launches missing members while the queue is empty, so the first
    /// burst after a deployment finds the pool ready (their workers load the model, find nothing
    /// to do and stop). Unset: on whenever the pool is.
    public var prefill: Bool?

    public init() {}

    /// `prefill` in effect: never without a pool.
    public var prefills: Bool { size > 0 && prefill != false }
}

extension WarmPoolSettings {
    /// The pool's checks, for `Configuration.validate`.
    func validate() throws(ConfigurationError) {
        guard size >= 0 else { throw .outOfRange(keyPath: "scaling.warmPool.size", reason: "cannot be negative (0 turns the pool off)") }
        guard startSeconds >= 0 else { throw .outOfRange(keyPath: "scaling.warmPool.startSeconds", reason: "cannot be negative") }
        guard prefill != true || size > 0 else {
            throw .outOfRange(keyPath: "scaling.warmPool.prefill",
                              reason: "needs a pool to fill: set scaling.warmPool.size above 0, or leave prefill unset")
        }
    }
}
