import Foundation

/// Groups images that become ready while the model is busy into one batch, without ever waiting
/// to fill a batch: an image arriving at an idle model runs at once, alone. Under load the next
/// batch is whatever queued up during the previous run (up to `maxBatch`), which is when batching
/// pays; when idle it adds no latency. Images are decoded before they queue, each on its own, so
/// decoding the next image overlaps the model's run on the current one.
public actor OpportunisticBatcher {
    private let classifier: any ImageClassifier
    private let maxBatch: Int
    private var waiting: [(image: PreparedImage, reply: CheckedContinuation<Result<ClassifiedImage, ImageRejection>, Never>)] = []
    private var running = false
    /// Sizes of the batches run so far (for the worker's counters and the benchmark).
    public private(set) var batchSizes: [Int: Int] = [:]

    /// Images decoded and waiting for the model.
    public var waitingCount: Int { waiting.count }

    public init(classifier: any ImageClassifier, maxBatch: Int) {
        self.classifier = classifier
        self.maxBatch = max(1, maxBatch)
    }

    public nonisolated var modelName: String { classifier.modelName }

    public func classify(_ image: Data) async -> Result<ClassifiedImage, ImageRejection> {
        // The actor is free while the image decodes: other jobs queue and run meanwhile.
        let prepared = await classifier.prepare(image)
        return await withCheckedContinuation { reply in
            waiting.append((prepared, reply))
            if !running {
                running = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(maxBatch))
            waiting.removeFirst(batch.count)
            batchSizes[batch.count, default: 0] += 1
            // The actor is free while the model runs: arrivals queue up for the next batch.
            let results = await classifier.classify(batch.map(\.image))
            for (index, item) in batch.enumerated() {
                let result = index < results.count
                    ? results[index]
                    : .failure(ImageRejection(reason: "the classifier returned no result for this image"))
                item.reply.resume(returning: result)
            }
        }
        running = false
    }
}
