/// A batch after decoding and preprocessing, before the model runs: the model input of the images
/// that decoded (packed, in order) and what became of each image. `Classifier.prepare` makes one
/// and `Classifier.classify(_:)` finishes it, so that the two halves can run on different threads.
public struct PreparedBatch: Sendable {
    public enum Entry: Sendable {
        /// Decoded into model-input position `position`, in `milliseconds`.
        case ready(position: Int, milliseconds: Double)
        case refused(ImageError)
    }

    /// `readyCount * valuesPerImage` floats.
    var tensor: [Float]
    /// One per input image, in input order.
    public let entries: [Entry]
    public let readyCount: Int

    public var count: Int { entries.count }

    /// Several prepared batches as one, in order: one model run for images prepared separately
    /// (each as it arrived, perhaps on different threads).
    public static func joined(_ batches: [PreparedBatch]) -> PreparedBatch {
        guard batches.count != 1 else { return batches[0] }
        var tensor: [Float] = []
        tensor.reserveCapacity(batches.reduce(0) { $0 + $1.tensor.count })
        var entries: [Entry] = []
        var ready = 0
        for batch in batches {
            tensor.append(contentsOf: batch.tensor)
            for entry in batch.entries {
                switch entry {
                case .ready(let position, let milliseconds):
                    entries.append(.ready(position: ready + position, milliseconds: milliseconds))
                case .refused:
                    entries.append(entry)
                }
            }
            ready += batch.readyCount
        }
        return PreparedBatch(tensor: tensor, entries: entries, readyCount: ready)
    }
}
