/// A request to stop, shared by the signal handler and the worker's loops. Once requested, the
/// worker receives nothing more, lets in-flight jobs finish for a bounded time, then releases the
/// rest to the queue.
public actor ShutdownSignal {
    public private(set) var isRequested = false
    public private(set) var requestReason = ""
    private var observers: [Int: @Sendable () -> Void] = [:]
    private var nextObserver = 0

    public init() {}

    public func request(reason: String) {
        guard !isRequested else { return }
        isRequested = true
        requestReason = reason
        let pending = observers.values
        observers.removeAll()
        pending.forEach { $0() }
    }

    /// Calls `action` when a stop is requested (at once if it already was). Remove the observer
    /// when it no longer matters, so long-lived workers do not accumulate them.
    func observe(_ action: @escaping @Sendable () -> Void) -> Int? {
        if isRequested {
            action()
            return nil
        }
        nextObserver += 1
        observers[nextObserver] = action
        return nextObserver
    }

    func removeObserver(_ id: Int?) {
        if let id { observers[id] = nil }
    }
}
