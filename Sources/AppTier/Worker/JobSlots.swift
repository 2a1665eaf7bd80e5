/// Bounds how many jobs a worker holds at once (received and not yet finished), so it never takes
/// more messages off the queue than it can work on before their visibility runs out.
///
/// A job abandoned at its deadline moves from `inUse` to `stuck`: its message is back on the
/// queue, but its work (a C call no cancellation reaches) still holds a thread and memory, so the
/// slot stays taken until that work returns. When every slot is stuck the worker can do nothing
/// more and exits for a restart.
actor JobSlots {
    let capacity: Int
    /// Jobs being worked on (the drain waits for these).
    private(set) var inUse = 0
    /// Abandoned jobs whose work has not returned yet.
    private(set) var stuck = 0
    private var closed = false
    private var slotWaiters: [CheckedContinuation<Bool, Never>] = []
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var free: Int { capacity - inUse - stuck }
    var allStuck: Bool { stuck >= capacity }

    /// Waits until at least one slot is free; false once the slots are closed (shutting down).
    func waitForFreeSlot() async -> Bool {
        if closed { return false }
        if free > 0 { return true }
        return await withCheckedContinuation { slotWaiters.append($0) }
    }

    func take(_ count: Int) {
        inUse += count
    }

    func release() {
        inUse -= 1
        wakeSlotWaiter()
        wakeIdleWaiters()
    }

    /// A job abandoned at its deadline: no longer worked on, its slot still taken.
    func abandon() {
        inUse -= 1
        stuck += 1
        wakeIdleWaiters()
    }

    /// The abandoned work has returned: the slot is free again.
    func unstick() {
        stuck -= 1
        wakeSlotWaiter()
    }

    private func wakeSlotWaiter() {
        if free > 0, !slotWaiters.isEmpty {
            slotWaiters.removeFirst().resume(returning: true)
        }
    }

    private func wakeIdleWaiters() {
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
