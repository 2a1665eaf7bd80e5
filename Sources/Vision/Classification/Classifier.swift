import Foundation
import Pipeline

/// Decoding + preprocessing + ONNX Runtime + labels: what the app tier calls. Safe to use from
/// several threads at once (one shared session; ONNX Runtime's `Run` is thread-safe).
public final class Classifier: Sendable {
    public let session: InferenceSession
    public let labels: Labels
    public let decoder: ImageDecoder
    public let preprocessor: Preprocessor
    public let topK: Int
    /// Decode the images of a batch on several cores at once.
    public let concurrentDecoding: Bool

    public convenience init(configuration: ClassifierConfiguration) throws(ClassifierSetupError) {
        let runtime: OnnxRuntime, session: InferenceSession
        do {
            runtime = try OnnxRuntime(libraryPath: configuration.files.onnxRuntimeLibrary)
            session = try InferenceSession(modelPath: configuration.files.model, runtime: runtime, options: configuration.session)
        } catch {
            throw .runtime(error)
        }
        let labels: Labels
        do { labels = try Labels(contentsOf: configuration.files.labels) } catch { throw .labels(error) }
        try self.init(session: session, labels: labels, configuration: configuration)
    }

    public init(session: InferenceSession, labels: Labels, configuration: ClassifierConfiguration) throws(ClassifierSetupError) {
        if let problem = configuration.preprocessing.problem { throw .configuration(problem) }
        let expected = configuration.preprocessing.shape(batch: 1)
        let modelShape = session.input.shape
        guard modelShape.count == 4,
              zip(modelShape.dropFirst(), expected.dropFirst()).allSatisfy({ $0 <= 0 || $0 == $1 }) else {
            throw .configuration("model input \(session.input.name) has shape \(modelShape); preprocessing produces \(expected)")
        }
        self.session = session
        self.labels = labels
        self.decoder = ImageDecoder(options: configuration.decoding)
        self.preprocessor = Preprocessor(configuration: configuration.preprocessing)
        self.topK = configuration.topK
        self.concurrentDecoding = configuration.concurrentDecoding
    }

    /// Classifies one encoded image (JPEG or PNG bytes).
    public func classify(_ imageBytes: Data) throws(ClassificationError) -> Classification {
        try classify(batch: [imageBytes])[0].get()
    }

    /// Classifies several images with one model run; each image fails or succeeds on its own.
    public func classify(batch images: [Data]) -> [Result<Classification, ClassificationError>] {
        classify(prepare(images))
    }

    /// Decodes and preprocesses a batch (no model run). Several images are decoded on several
    /// cores at once when `concurrentDecoding` is on (the decoders keep no shared state).
    public func prepare(_ images: [Data]) -> PreparedBatch {
        let perImage = preprocessor.configuration.valuesPerImage
        var tensor = [Float](unsafeUninitializedCapacity: perImage * images.count) { _, initialized in
            initialized = perImage * images.count  // every slot is written below or dropped before use
        }
        var outcomes = [Result<Double, ImageError>](repeating: .success(0), count: images.count)
        tensor.withUnsafeMutableBufferPointer { buffer in
            outcomes.withUnsafeMutableBufferPointer { outcome in
                let slots = BatchSlots(tensor: buffer.baseAddress!, outcomes: outcome.baseAddress!)
                let prepare: @Sendable (Int) -> Void = { index in
                    let start = DispatchTime.now().uptimeNanoseconds
                    do throws(ImageError) {
                        let image = try self.decoder.decode(images[index], needing: self.preprocessor.sourceRegion)
                        self.preprocessor.preprocess(image, into: UnsafeMutableBufferPointer(
                            start: slots.tensor + index * perImage, count: perImage))
                        slots.outcomes[index] = .success(Self.milliseconds(since: start))
                    } catch {
                        slots.outcomes[index] = .failure(error)
                    }
                }
                if images.count > 1 && concurrentDecoding {
                    DispatchQueue.concurrentPerform(iterations: images.count, execute: prepare)
                } else {
                    for index in images.indices { prepare(index) }
                }
            }
        }
        // Close the gaps left by refused images so that the model runs on successes only.
        var entries: [PreparedBatch.Entry] = []
        entries.reserveCapacity(images.count)
        var ready = 0
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .success(let milliseconds):
                if ready != index {
                    tensor.withUnsafeMutableBufferPointer { buffer in
                        (buffer.baseAddress! + ready * perImage).update(from: buffer.baseAddress! + index * perImage, count: perImage)
                    }
                }
                entries.append(.ready(position: ready, milliseconds: milliseconds))
                ready += 1
            case .failure(let error):
                entries.append(.refused(error))
            }
        }
        tensor.removeLast((images.count - ready) * perImage)
        return PreparedBatch(tensor: tensor, entries: entries, readyCount: ready)
    }

    /// Runs the model on a prepared batch and ranks the classes; refused images keep their error.
    public func classify(_ batch: PreparedBatch) -> [Result<Classification, ClassificationError>] {
        var inference: Result<(values: [Float], milliseconds: Double), OnnxRuntimeError> = .success(([], 0))
        if batch.readyCount > 0 {
            let start = DispatchTime.now().uptimeNanoseconds
            inference = batch.tensor.withUnsafeBufferPointer { buffer in
                Result { () throws(OnnxRuntimeError) in
                    let output = try session.run(buffer, shape: preprocessor.configuration.shape(batch: batch.readyCount))
                    return (output.values, Self.milliseconds(since: start) / Double(batch.readyCount))
                }
            }
        }
        return batch.entries.map { entry in
            switch entry {
            case .refused(let error):
                return .failure(.image(error))
            case .ready(let position, let milliseconds):
                switch inference {
                case .failure(let error):
                    return .failure(.inference(error))
                case .success(let output):
                    let classes = output.values.count / batch.readyCount
                    let predictions = output.values.withUnsafeBufferPointer { logits in
                        let row = UnsafeBufferPointer(rebasing: logits[(position * classes)..<((position + 1) * classes)])
                        return Scores.top(Scores.softmax(row), k: topK).map {
                            Prediction(label: labels[$0.index], score: $0.score)
                        }
                    }
                    return .success(Classification(predictions: predictions, preprocessMilliseconds: milliseconds,
                                                   inferenceMilliseconds: output.milliseconds))
                }
            }
        }
    }

    static func milliseconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
    }
}

/// The per-image output slots of one batch, shared with `concurrentPerform`'s workers.
///
/// `@unchecked Sendable`: iteration `i` writes only tensor slot `i` and outcome `i` (disjoint
/// memory), and both buffers outlive `concurrentPerform`, which returns after every iteration.
private struct BatchSlots: @unchecked Sendable {
    let tensor: UnsafeMutablePointer<Float>
    let outcomes: UnsafeMutablePointer<Result<Double, ImageError>>
}
