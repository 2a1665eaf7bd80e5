import Foundation

/// The answer for one image.
public struct Classification: Sendable, Equatable {
    /// Best first; `predictions[0]` is the answer.
    public var predictions: [Prediction]
    /// Decode + preprocess time for this image, milliseconds.
    public var preprocessMilliseconds: Double
    /// Inference time (shared equally by the images of a batch), milliseconds.
    public var inferenceMilliseconds: Double

    public var label: String { predictions.first?.label ?? "" }
    public var score: Double { predictions.first?.score ?? 0 }
}

/// Any failure to classify one image: the image itself (`ImageError`, never worth retrying) or the
/// model run.
public enum ClassificationError: Error, Equatable, CustomStringConvertible {
    case image(ImageError)
    case inference(OnnxRuntimeError)

    public var description: String {
        switch self {
        case .image(let error): return error.description
        case .inference(let error): return error.description
        }
    }
}

/// Why a `Classifier` could not be built.
public enum ClassifierSetupError: Error, CustomStringConvertible {
    case runtime(OnnxRuntimeError)
    case labels(LabelsError)
    case configuration(String)

    public var description: String {
        switch self {
        case .runtime(let error): return error.description
        case .labels(let error): return error.description
        case .configuration(let problem): return "invalid classifier configuration: \(problem)"
        }
    }
}

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

    public convenience init(configuration: ClassifierConfiguration = ClassifierConfiguration()) throws(ClassifierSetupError) {
        let runtime: OnnxRuntime, session: InferenceSession
        do {
            runtime = try OnnxRuntime(libraryPath: configuration.onnxRuntimeLibrary)
            session = try InferenceSession(modelPath: configuration.modelPath, runtime: runtime, options: configuration.session)
        } catch {
            throw .runtime(error)
        }
        let labels: Labels
        do { labels = try Labels(contentsOf: configuration.labelsPath) } catch { throw .labels(error) }
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
        let perImage = preprocessor.configuration.valuesPerImage
        var tensor = [Float](repeating: 0, count: perImage * images.count)
        var results = [Result<Classification, ClassificationError>?](repeating: nil, count: images.count)
        // Decode and preprocess each image into slot `index`; several images are decoded on
        // several cores at once (the decoders keep no shared state).
        var outcomes = [Result<Double, ImageError>](repeating: .success(0), count: images.count)
        tensor.withUnsafeMutableBufferPointer { buffer in
            outcomes.withUnsafeMutableBufferPointer { outcome in
                let slots = BatchSlots(tensor: buffer.baseAddress!, outcomes: outcome.baseAddress!)
                let prepare: @Sendable (Int) -> Void = { index in
                    let start = DispatchTime.now().uptimeNanoseconds
                    do throws(ImageError) {
                        let image = try self.decoder.decode(images[index])
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
        var slots: [(image: Int, milliseconds: Double)] = []
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .success(let milliseconds):
                if slots.count != index {
                    tensor.withUnsafeMutableBufferPointer { buffer in
                        let target = buffer.baseAddress! + slots.count * perImage
                        target.update(from: buffer.baseAddress! + index * perImage, count: perImage)
                    }
                }
                slots.append((index, milliseconds))
            case .failure(let error):
                results[index] = .failure(.image(error))
            }
        }
        if !slots.isEmpty {
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                let output = try tensor.withUnsafeBufferPointer { buffer throws(OnnxRuntimeError) in
                    try session.run(UnsafeBufferPointer(rebasing: buffer[0..<(slots.count * perImage)]),
                                    shape: preprocessor.configuration.shape(batch: slots.count))
                }
                let inferenceMilliseconds = Self.milliseconds(since: start) / Double(slots.count)
                let classes = output.values.count / slots.count
                output.values.withUnsafeBufferPointer { logits in
                    for (position, slot) in slots.enumerated() {
                        let row = UnsafeBufferPointer(rebasing: logits[(position * classes)..<((position + 1) * classes)])
                        let predictions = Scores.top(Scores.softmax(row), k: topK).map {
                            Prediction(label: labels[$0.index], index: $0.index, score: $0.score)
                        }
                        results[slot.image] = .success(Classification(
                            predictions: predictions, preprocessMilliseconds: slot.milliseconds,
                            inferenceMilliseconds: inferenceMilliseconds))
                    }
                }
            } catch {
                for slot in slots { results[slot.image] = .failure(.inference(error)) }
            }
        }
        return results.map { $0! }
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
