import Pipeline

/// The work waiting in the request queue, as SQS counts it (`ApproximateNumberOfMessages` and
/// `ApproximateNumberOfMessagesNotVisible`). Both are approximate: SQS samples its servers, so the
/// autoscaler treats them as a signal, not an exact count.
public struct QueueBacklog: Codable, Sendable, Equatable, Hashable {
    /// Messages waiting to be received.
    public var visible: Int
    /// Messages received by a worker and not yet deleted (being classified).
    public var inFlight: Int

    public init(visible: Int, inFlight: Int) {
        self.visible = visible
        self.inFlight = inFlight
    }

    /// What the fleet must work through (`QueueDepth.backlog`: the one place it is computed).
    public var total: Int { QueueDepth(visible: visible, inFlight: inFlight).backlog }
}
