import Synchronization

/// Bytes of multipart parts that may be held at once in one place, shared by every upload being
/// read (give all requests of a server the same budgets). `MultipartLimits.memoryBudget` bounds
/// what parts hold in memory, `MultipartLimits.spoolBudget` what their spool files hold on disk.
///
/// Memory is the cheap path (a spool file's create, write, read back and unlink cost more CPU than
/// the rest of the upload path), so parts stay in memory while the memory budget covers them and
/// move to a spool file once it does not; when the spool budget is spent too, the upload is
/// refused (`MultipartError.spoolFull`, 503) rather than letting either grow.
public final class MultipartBudget: Sendable {
    /// The most bytes held at once.
    public let capacity: Int
    private let used = Mutex(0)

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Bytes currently held (by parts, and parts still being read).
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

/// One part's (or one spool file's) share of a `MultipartBudget`, given back when its holder is
/// released, abandoned mid-read, or moved elsewhere.
final class MultipartReservation: Sendable {
    let budget: MultipartBudget
    private let bytes = Mutex(0)

    init(budget: MultipartBudget) { self.budget = budget }

    /// Takes `count` more bytes from the budget; false (and nothing taken) when it cannot.
    func grow(by count: Int) -> Bool {
        guard budget.reserve(count) else { return false }
        bytes.withLock { $0 += count }
        return true
    }

    /// Gives `count` bytes back (a temporary copy is gone).
    func shrink(by count: Int) {
        let given = bytes.withLock { held in
            let given = min(count, held)
            held -= given
            return given
        }
        budget.release(given)
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
