import Foundation

/// Runs blocking work (waiting for a child process, sleeping a thread, blocking socket I/O) on a
/// thread of its own and awaits the result.
///
/// Swift's cooperative pool has one thread per core: two cores here. Tests run in parallel, so a
/// test that blocks a pool thread (or a lazy `static let` whose initialiser blocks, which also
/// blocks every thread that touches it meanwhile) can stall every other test for as long as it
/// blocks, and their deadlines then expire for no fault of their own.
public func runBlocking<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// The same, for work that cannot throw.
public func runBlocking<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
    await withCheckedContinuation { continuation in
        let thread = Thread {
            continuation.resume(returning: body())
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
