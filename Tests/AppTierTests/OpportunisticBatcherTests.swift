import AppTier
import Foundation
import Pipeline
import Testing
import TestSupport

/// The batcher with the real model: images decoded on their own and queued while the model is
/// busy run together, and every job still gets its own answer, equal to classifying it alone.
@Suite("opportunistic batching with the real model")
struct OpportunisticBatcherTests {
    @Test("images arriving while the model runs form one batch; each answer equals its solo classification")
    func queuedImagesShareABatchAndKeepTheirAnswers() async throws {
        let model = try WorkerHarness.visionClassifier()
        var images = try TestPhotos.all().prefix(6).map(\.bytes)
        images.insert(Data("not an image".utf8), at: 3)
        // The first run is held until every other image has decoded and queued behind it, however
        // slow the machine: a fixed delay was not always long enough under a parallel test load.
        let hold = FirstRunHold()
        let batcher = OpportunisticBatcher(classifier: HeldClassifier(wrapped: model, hold: hold), maxBatch: 8)
        let others = images.count - 1
        await hold.release(when: { await batcher.waitingCount == others })
        let results = await withTaskGroup(of: (Int, Result<ClassifiedImage, ImageRejection>).self) { group in
            for (index, image) in images.enumerated() {
                group.addTask { (index, await batcher.classify(image)) }
            }
            var collected = [Int: Result<ClassifiedImage, ImageRejection>]()
            for await (index, result) in group { collected[index] = result }
            return collected
        }
        #expect(results.count == images.count)
        let sizes = await batcher.batchSizes
        #expect(sizes.values.reduce(0, +) < images.count, "some images must have shared a model run: \(sizes)")
        #expect(sizes.reduce(0) { $0 + $1.key * $1.value } == images.count, "every image ran exactly once: \(sizes)")
        for (index, image) in images.enumerated() {
            let solo = await model.classify([await model.prepare(image)])[0]
            switch (results[index]!, solo) {
            case (.success(let batched), .success(let alone)):
                #expect(batched.predictions.map(\.label) == alone.predictions.map(\.label), "image \(index)")
                for (a, b) in zip(batched.predictions, alone.predictions) { #expect(abs(a.score - b.score) < 1e-4) }
            case (.failure(let batched), .failure(let alone)):
                #expect(index == 3)
                #expect(batched == alone)
            default:
                Issue.record("image \(index): batched \(results[index]!) vs alone \(solo)")
            }
        }
    }
}

/// Holds the first model run until a condition holds (checked every few milliseconds, for at most
/// a minute); later runs go straight through.
private actor FirstRunHold {
    private var condition: (@Sendable () async -> Bool)?
    private var used = false

    func release(when condition: @escaping @Sendable () async -> Bool) {
        self.condition = condition
    }

    func wait() async {
        guard !used, let condition else { return }
        used = true
        let deadline = ContinuousClock.now + .seconds(60)
        while await !condition(), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

private struct HeldClassifier: ImageClassifier {
    let wrapped: VisionImageClassifier
    let hold: FirstRunHold

    var modelName: String { wrapped.modelName }

    func prepare(_ image: Data) async -> PreparedImage {
        await wrapped.prepare(image)
    }

    func classify(_ images: [PreparedImage]) async -> [Result<ClassifiedImage, ImageRejection>] {
        await hold.wait()
        return await wrapped.classify(images)
    }
}
