import CEpoll
import Glibc
import Synchronization

/// One thread that waits on its own epoll instance and is also the `TaskExecutor` of the tasks
/// created with `Task(executorPreference: loop)`.
///
/// A readiness event resumes its waiting task on this same thread: the continuation's job is
/// queued here and run right after the event batch, with no hop to Swift's cooperative pool and
/// back (that hop, for every read and write, was where most of the server's tail latency came
/// from). Jobs queued from other threads (a timer, another loop) wake `epoll_wait` through the
/// eventfd, only when the loop is actually asleep.
///
/// After `stop`, jobs still arriving are forwarded to the global executor, so a task that
/// outlives its loop still finishes.
public final class EventLoop: TaskExecutor {
    private struct JobQueue {
        var jobs: [UnownedJob] = []
        /// True while the thread is (about to be) blocked in `epoll_wait` with a timeout.
        var sleeping = false
        var stopped = false
    }

    private let epoll: Epoll
    private let table = Mutex(ReadinessTable())
    private let queue = Mutex(JobQueue())
    private let running = Atomic<Bool>(true)
    private let sweepInterval: Duration
    #if HTTP_TRACE
    /// When the last `epoll_wait` returned (monotonic ns): tasks resumed by its events run in the
    /// same round, so their resume time minus this is the readiness → resume delay.
    let lastPoll = Atomic<Int>(0)
    #endif

    /// Creates the epoll instance and starts the loop's thread.
    public init(sweepInterval: Duration = .milliseconds(100)) throws(SocketError) {
        self.epoll = try Epoll()
        self.sweepInterval = sweepInterval
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            let loop = Unmanaged<EventLoop>.fromOpaque(context!).takeRetainedValue()
            loop.run()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<EventLoop>.fromOpaque(context).release()
            throw .systemCall("pthread_create", errno: result)
        }
        pthread_detach(thread)
    }

    // MARK: TaskExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let (wake, stopped) = queue.withLock { queue in
            if queue.stopped { return (false, true) }
            queue.jobs.append(unowned)
            defer { queue.sleeping = false }
            return (queue.sleeping, false)
        }
        if stopped {
            globalConcurrentExecutor.enqueue(ExecutorJob(unowned))
        } else if wake {
            epoll.wake()
        }
    }

    // MARK: Readiness

    /// Suspends until `fd` is ready for `interest`, or throws `SocketError.timedOut` after
    /// `deadline`, or `SocketError.closed` when the descriptor is forgotten or the loop stops.
    /// `edgeTriggered`: see `ReadinessTable` (only after the descriptor said "would block").
    nonisolated(nonsending) func wait(for fd: Int32, _ interest: SocketPool.Interest, deadline: Deadline?,
              edgeTriggered: Bool) async throws {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            let outcome: Result<Bool, SocketError> = table.withLock { table in
                guard running.load(ordering: .acquiring) else { return .failure(.closed) }
                do throws(SocketError) {
                    return .success(try table.add(continuation, for: fd, interest, deadline: deadline,
                                                  edgeTriggered: edgeTriggered, epoll: epoll))
                } catch {
                    return .failure(error)
                }
            }
            switch outcome {
            case .success(true): break
            case .success(false): continuation.resume()
            case .failure(let failure): continuation.resume(throwing: failure)
            }
        }
    }

    /// Removes `fd` (failing its waiters with `SocketError.closed`); must precede `close`.
    func forget(_ fd: Int32) {
        for waiter in table.withLock({ $0.remove(fd, epoll: epoll) }) { waiter.resume(throwing: SocketError.closed) }
    }

    /// Fails `fd`'s waiters with `SocketError.closed` but keeps it registered.
    func interrupt(_ fd: Int32) {
        for waiter in table.withLock({ $0.takeWaiters(of: fd) }) { waiter.resume(throwing: SocketError.closed) }
    }

    /// Stops polling and fails all waiters with `SocketError.closed`.
    func stop() {
        // Under the table's lock, so no waiter registers after the loop's final sweep.
        let wasRunning = table.withLock { _ in running.exchange(false, ordering: .acquiringAndReleasing) }
        if wasRunning { epoll.wake() }
    }

    // MARK: The thread

    private func run() {
        let executor = asUnownedTaskExecutor()
        let capacity = 256
        let raw = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: capacity)
        defer { raw.deallocate() }
        var batch: [UnownedJob] = []
        var ready: [ReadinessTable.Continuation] = []
        var expired: [ReadinessTable.Continuation] = []
        let sweepMilliseconds = Int32(sweepInterval.components.seconds * 1000
            + sweepInterval.components.attoseconds / 1_000_000_000_000_000)
        var nextSweep = Deadline.now + sweepInterval

        while running.load(ordering: .acquiring) {
            let timeout: Int32 = queue.withLock { queue in
                if !queue.jobs.isEmpty { return 0 }
                queue.sleeping = true
                return sweepMilliseconds
            }
            let count = epoll.wait(into: raw, timeoutMilliseconds: timeout)
            queue.withLock { $0.sleeping = false }
            #if HTTP_TRACE
            if count > 0 { lastPoll.store(HTTPTrace.now(), ordering: .relaxed) }
            #endif
            let now = Deadline.now
            let sweeping = now >= nextSweep
            if sweeping { nextSweep = now + sweepInterval }
            if count > 0 || sweeping {
                table.withLock { table in
                    for index in 0..<count {
                        guard let event = epoll.event(raw[index]) else { continue }
                        table.fire(event, into: &ready, epoll: epoll)
                    }
                    if sweeping { table.sweep(now: now, into: &expired) }
                }
            }
            // Resuming queues each task's next job here (it prefers this loop).
            for continuation in ready { continuation.resume() }
            for continuation in expired { continuation.resume(throwing: SocketError.timedOut) }
            ready.removeAll(keepingCapacity: true)
            expired.removeAll(keepingCapacity: true)

            // Only the jobs queued so far: what they queue in turn waits for the next round,
            // after the next poll, so sockets are not starved by a busy task.
            queue.withLock { swap(&$0.jobs, &batch) }
            for job in batch { job.runSynchronously(on: executor) }
            batch.removeAll(keepingCapacity: true)
        }

        for waiter in table.withLock({ $0.removeAll() }) { waiter.resume(throwing: SocketError.closed) }
        let leftover = queue.withLock { queue in
            queue.stopped = true
            defer { queue.jobs.removeAll() }
            return queue.jobs
        }
        for job in leftover { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }

    // Closed only here, when nothing can wake or arm it any more: a late `enqueue` or `forget`
    // must never write to a descriptor number the kernel has since given to someone else.
    deinit {
        epoll.close()
    }
}
