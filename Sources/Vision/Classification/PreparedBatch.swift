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
}
