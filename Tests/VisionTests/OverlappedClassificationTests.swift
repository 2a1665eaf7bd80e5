import Foundation
import Synchronization
import Testing
@testable import Vision

/// Decoding ahead on another thread changes when work happens, never what comes out: the same
/// answers as one batch at a time, in order, with refused images in their places.
@Suite(.enabled(if: ReferencePipeline.available, "needs models/efficientnet-lite0.onnx and photos (run scripts/setup)"))
struct OverlappedClassificationTests {
    static let classifier = Result { () throws -> Classifier in
        try Classifier(configuration: ClassifierConfiguration(
            files: ReferencePipeline.files,
            session: SessionOptions(intraOpThreads: 1)))
    }

    @Test(arguments: [(1, 1), (1, 2), (3, 2), (4, 3)])
    func sameAnswersInOrderAsOneBatchAtATime(batchSize: Int, depth: Int) throws {
        let classifier = try Self.classifier.get()
        var images = try ReferencePipeline.photos.prefix(7).map { try Data(contentsOf: $0) }
        images.insert(Data("not an image".utf8), at: 2)
        images.append(Data())
        let batches = stride(from: 0, to: images.count, by: batchSize).map { Array(images[$0..<min($0 + batchSize, images.count)]) }
        let loads = Mutex<[Int]>([])
        var delivered: [(Int, [Result<Classification, ClassificationError>])] = []
        classifier.classifyOverlapped(batches: batches.count, depth: depth, load: { index in
            loads.withLock { $0.append(index) }
            return (item: index, images: batches[index])
        }, deliver: { index, results in
            delivered.append((index, results))
        })
        #expect(loads.withLock { $0 } == Array(batches.indices), "each batch loaded once, in order")
        #expect(delivered.map(\.0) == Array(batches.indices), "delivered in batch order")
        for (index, results) in delivered {
            let expected = classifier.classify(batch: batches[index])
            #expect(results.count == expected.count)
            for (ours, theirs) in zip(results, expected) {
                switch (ours, theirs) {
                case (.success(let a), .success(let b)):
                    #expect(a.predictions.map(\.label) == b.predictions.map(\.label))
                    for (x, y) in zip(a.predictions, b.predictions) { #expect(abs(x.score - y.score) < 1e-5) }
                case (.failure(let a), .failure(let b)):
                    #expect(a == b)
                default:
                    Issue.record("batch \(index): \(ours) vs \(theirs)")
                }
            }
        }
        let refused = delivered.flatMap(\.1).filter { if case .failure = $0 { true } else { false } }
        #expect(refused.count == 2, "the text and the empty item are refused, nothing else")
    }

    @Test func noBatchesMeansNoWork() throws {
        var called = false
        try Self.classifier.get().classifyOverlapped(batches: 0, load: { _ in (item: 0, images: []) }, deliver: { _, _ in called = true })
        #expect(!called)
    }
}
