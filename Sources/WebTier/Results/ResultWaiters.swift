import Pipeline
import Synchronization

/// Requests waiting for one image's result (the course-compatible `POST /`), resumed by the
/// result pollers or by their timeout, whichever comes first, exactly once.
///
/// `expect` before the job is queued, then `wait`: a result that arrives in between is kept for
/// the waiter instead of being lost.
public final class ResultWaiters: Sendable {
    private enum Slot {
        case expected
        case arrived(ResultMessage)
        case waiting(CheckedContinuation<ResultMessage?, Never>)
    }

    private let slots = Mutex<[String: Slot]>([:])

    public init() {}

    /// Declares that a waiter for `imageId` is coming (call before queuing the job).
    public func expect(_ imageId: String) {
        slots.withLock { $0[imageId] = .expected }
    }

    /// Waits for `imageId`'s result; nil after `timeout`.
    public func wait(for imageId: String, timeout: Duration) async -> ResultMessage? {
        await withCheckedContinuation { continuation in
            let arrived: ResultMessage? = slots.withLock { slots in
                if case let .arrived(result) = slots[imageId] {
                    slots[imageId] = nil
                    return result
                }
                slots[imageId] = .waiting(continuation)
                return nil
            }
            if let arrived {
                continuation.resume(returning: arrived)
                return
            }
            Task { [self] in
                try? await Task.sleep(for: timeout)
                finish(imageId, with: nil)
            }
        }
    }

    /// Delivers a result to the waiter of `imageId`, or keeps it if the waiter is still coming.
    public func resolve(_ imageId: String, with result: ResultMessage) {
        finish(imageId, with: result)
    }

    /// Forgets an expectation whose request gave up before waiting.
    public func cancel(_ imageId: String) {
        finish(imageId, with: nil)
    }

    private func finish(_ imageId: String, with result: ResultMessage?) {
        let continuation: CheckedContinuation<ResultMessage?, Never>? = slots.withLock { slots in
            switch slots[imageId] {
            case let .waiting(continuation):
                slots[imageId] = nil
                return continuation
            case .expected:
                slots[imageId] = result.map(Slot.arrived)
                return nil
            case .arrived, .none:
                if result == nil { slots[imageId] = nil }
                return nil
            }
        }
        continuation?.resume(returning: result)
    }

    /// Requests currently waiting.
    public var count: Int {
        slots.withLock { $0.values.filter { if case .waiting = $0 { true } else { false } }.count }
    }
}
