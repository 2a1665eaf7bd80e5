import Foundation
import Synchronization

extension Classifier {
    /// Classifies `count` batches in order, decoding and preprocessing the next batches on another
    /// thread while the model runs on the current one.
    ///
    /// Why: with one intra-op thread the model keeps one core busy, and decoding a photo costs a
    /// third of a Lite0 inference; done in line it adds that third to every image, done ahead on
    /// a second core it hides behind inference. `load` runs on the preparing thread (so reading
    /// files overlaps too) and returns the batch's images with a caller value that `deliver`
    /// gets back on the calling thread, in batch order. At most `depth` prepared batches wait,
    /// which bounds memory.
    public func classifyOverlapped<Item: Sendable>(
        batches count: Int, depth: Int = 2,
        load: @escaping @Sendable (Int) -> (item: Item, images: [Data]),
        deliver: (Item, [Result<Classification, ClassificationError>]) -> Void
    ) {
        precondition(depth >= 1, "depth must be at least 1")
        guard count > 0 else { return }
        let handoff = BoundedHandoff<(Item, PreparedBatch)>(depth: depth)
        DispatchQueue.global(qos: .userInitiated).async {
            for index in 0..<count {
                let (item, images) = load(index)
                handoff.put((item, self.prepare(images)))
            }
        }
        for _ in 0..<count {
            let (item, prepared) = handoff.take()
            deliver(item, classify(prepared))
        }
    }
}

/// A bounded first-in first-out hand-off from one producer thread to one consumer thread.
final class BoundedHandoff<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])
    private let free: DispatchSemaphore
    private let ready = DispatchSemaphore(value: 0)

    init(depth: Int) { free = DispatchSemaphore(value: depth) }

    /// Waits while `depth` elements are waiting.
    func put(_ element: Element) {
        free.wait()
        items.withLock { $0.append(element) }
        ready.signal()
    }

    /// Waits for the oldest element.
    func take() -> Element {
        ready.wait()
        let element = items.withLock { $0.removeFirst() }
        free.signal()
        return element
    }
}
