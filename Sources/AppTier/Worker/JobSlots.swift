/// Bounds how many jobs a worker holds at once (received and not yet finished), so it never takes
/// more messages off the queue than it can work on before their visibility runs out.
actor JobSlots {
    let capacity: Int
    private(set) var inUse = 0
    private var closed = false
    private var slotWaiters: [CheckedContinuation<Bool, Never>] = []
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var free: Int { capacity - inUse }

    /// Waits until at least one slot is free; false once the slots are closed (shutting down).
    func waitForFreeSlot() async -> Bool {
        if closed { return false }
        if inUse < capacity { return true }
        return await withCheckedContinuation { slotWaiters.append($0) }
    }

    func take(_ count: Int) {
        inUse += count
    }

    func release() {
        inUse -= 1
        if inUse < capacity, !slotWaiters.isEmpty {
            slotWaiters.removeFirst().resume(returning: true)
        }
        if inUse == 0 {
            idleWaiters.forEach { $0.resume() }
            idleWaiters.removeAll()
        }
    }

    /// Stops handing out slots and wakes anyone waiting for one.
    func close() {
        closed = true
        slotWaiters.forEach { $0.resume(returning: false) }
        slotWaiters.removeAll()
    }

    /// Returns when no job is held.
    func waitUntilIdle() async {
        if inUse == 0 { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }
}
