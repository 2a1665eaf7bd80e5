import Synchronization

/// Awaits `task`'s value, but returns (throwing `CancellationError`) as soon as the caller is
/// cancelled, leaving `task` to finish on its own.
///
/// Structured concurrency waits for every child; a job stuck in a long model run would then hold
/// the worker's drain past its bound. Running such work as an unstructured task and awaiting it
/// through this lets a drain deadline really end the wait.
func valueUnlessCancelled<Value: Sendable>(of task: Task<Value, any Error>) async throws -> Value {
    // Without a limit only the task or the cancellation ends the wait, never the timer.
    guard let value = try await valueUnlessCancelled(of: task, within: nil) else { throw CancellationError() }
    return value
}

/// Like `valueUnlessCancelled(of:)`, and also gives up after `limit` (if any): returns nil then, and
/// cancels `task`, which stops whatever in it is cooperative (a download) but not a C call it is
/// blocked in; the caller decides what to do with work that will not stop.
func valueUnlessCancelled<Value: Sendable>(of task: Task<Value, any Error>, within limit: Duration?) async throws
    -> Value? {
    let gate = ResumeOnce<Value?>()
    let timer = Task {
        guard let limit else { return }
        do { try await Task.sleep(for: limit) } catch { return }
        task.cancel()
        gate.resume(with: .success(nil))
    }
    defer { timer.cancel() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            gate.install(continuation)
            Task {
                do { gate.resume(with: .success(.some(try await task.value))) } catch { gate.resume(with: .failure(error)) }
            }
        }
    } onCancel: {
        task.cancel()
        gate.resume(with: .failure(CancellationError()))
    }
}

/// A continuation that is resumed exactly once, by whichever of the task or the cancellation
/// comes first, even if cancellation arrives before the continuation is installed.
private final class ResumeOnce<Value: Sendable>: Sendable {
    private enum State {
        case waiting
        case installed(CheckedContinuation<Value, any Error>)
        case early(Result<Value, any Error>)
        case done
    }

    private let state = Mutex<State>(.waiting)

    func install(_ continuation: CheckedContinuation<Value, any Error>) {
        let early: Result<Value, any Error>? = state.withLock { state in
            if case let .early(result) = state {
                state = .done
                return result
            }
            state = .installed(continuation)
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(with result: Result<Value, any Error>) {
        let continuation: CheckedContinuation<Value, any Error>? = state.withLock { state in
            switch state {
            case .waiting:
                state = .early(result)
                return nil
            case let .installed(continuation):
                state = .done
                return continuation
            case .early, .done:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}
