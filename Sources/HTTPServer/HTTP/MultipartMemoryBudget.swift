import Synchronization

/// Bytes of multipart parts that may be held in memory at once, shared by every upload being read
/// (give all requests of a server the same budget). A part larger than `MultipartLimits.memoryThreshold`
/// stays in memory while the budget covers it and moves to a spool file once it does not, so the
/// common case skips the temporary file (its create, write, read back and unlink cost more CPU than
/// the rest of the upload path) while the process as a whole stays bounded.
public final class MultipartMemoryBudget: Sendable {
    /// The most bytes held at once.
    public let capacity: Int
    private let used = Mutex(0)

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Bytes currently held by parts (and parts still being read).
    public var bytesInUse: Int { used.withLock { $0 } }

    func reserve(_ count: Int) -> Bool {
        used.withLock { used in
            guard count <= capacity - used else { return false }
            used += count
            return true
        }
    }

    func release(_ count: Int) {
        used.withLock { $0 -= count }
    }
}

/// One part's share of a `MultipartMemoryBudget`, given back when the part is released (or
/// abandoned mid-read, or moved to a spool file).
final class MultipartMemoryReservation: Sendable {
    let budget: MultipartMemoryBudget
    private let bytes = Mutex(0)

    init(budget: MultipartMemoryBudget) { self.budget = budget }

    /// Takes `count` more bytes from the budget; false (and nothing taken) when it cannot.
    func grow(by count: Int) -> Bool {
        guard budget.reserve(count) else { return false }
        bytes.withLock { $0 += count }
        return true
    }

    /// Gives everything back now (the part's bytes went to a file).
    func releaseAll() {
        let held = bytes.withLock { held in
            defer { held = 0 }
            return held
        }
        budget.release(held)
    }

    deinit { releaseAll() }
}
