import AppTier
import Dispatch
import Foundation
import Synchronization

/// A classifier whose model run hangs the way a stuck C call does: the real model decodes the
/// image, then `classify` blocks a Dispatch thread (not a cancellable task) until the test lets
/// it go. Nothing the worker does can cut that wait short, which is the point.
final class HangingClassifier: ImageClassifier {
    let wrapped: VisionImageClassifier
    private let gate = DispatchSemaphore(value: 0)
    private let state = Mutex<(entered: Int, released: Bool)>((0, false))

    init(wrapping wrapped: VisionImageClassifier) {
        self.wrapped = wrapped
    }

    var modelName: String { wrapped.modelName }

    /// Model runs that started (and are hanging, until `release()`).
    var entered: Int { state.withLock { $0.entered } }

    func prepare(_ image: Data) async -> PreparedImage {
        await wrapped.prepare(image)
    }

    func classify(_ images: [PreparedImage]) async -> [Result<ClassifiedImage, ImageRejection>] {
        let released = state.withLock { state in
            state.entered += 1
            return state.released
        }
        if !released {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async { [gate] in
                    gate.wait()
                    gate.signal()  // lets the next hung run through too
                    continuation.resume()
                }
            }
        }
        return images.map { _ in .failure(ImageRejection(reason: "released by the test")) }
    }

    /// Lets every hung run (and every later one) return, so no thread outlives the test.
    func release() {
        state.withLock { $0.released = true }
        gate.signal()
    }
}
