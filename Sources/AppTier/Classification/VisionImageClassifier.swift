import Dispatch
import Foundation
import Pipeline
import Vision

/// The worker's classifier: our Vision pipeline (libjpeg-turbo/libpng, Pillow-equal
/// preprocessing, ONNX Runtime) with one shared session.
public struct VisionImageClassifier: ImageClassifier {
    public let classifier: Classifier
    public let modelName: String
    /// Decoding and inference are CPU-bound for milliseconds at a time: they run on Dispatch
    /// queues so that they never occupy the threads of Swift's cooperative pool, which keep the
    /// downloads going. Each has its own serial queue, so one job's image decodes while the model
    /// runs on another's, and at most one full-size decoded image is held at a time (a 50 MP PNG
    /// at the pixel limit needs ~300 MB while it decodes; four at once could exhaust a small
    /// instance).
    private let inferenceQueue = DispatchQueue(label: "apptier.inference", qos: .userInitiated)
    private let decodingQueue = DispatchQueue(label: "apptier.decoding", qos: .userInitiated)

    public init(classifier: Classifier, modelName: String) {
        self.classifier = classifier
        self.modelName = modelName
    }

    /// Loads the model the configuration describes from `files` (resolved by the configuration
    /// loader at start-up).
    public init(settings: ModelSettings, files: ModelFiles) throws(ClassifierSetupError) {
        let configuration = ClassifierConfiguration(
            files: files,
            session: SessionOptions(intraOpThreads: settings.intraOpThreads),
            preprocessing: PreprocessingConfiguration(
                resizeShorterSide: settings.resizeShorterSide, cropSize: settings.cropSize,
                mean: settings.mean, std: settings.std),
            decoding: DecodingOptions(maxBytes: settings.maxImageBytes, maxPixels: settings.maxImagePixels),
            topK: settings.topK)
        self.init(classifier: try Classifier(configuration: configuration), modelName: settings.name)
    }

    public func prepare(_ image: Data) async -> PreparedImage {
        let classifier = self.classifier
        return await withCheckedContinuation { continuation in
            decodingQueue.async { continuation.resume(returning: PreparedImage(classifier.prepare([image]))) }
        }
    }

    public func classify(_ images: [PreparedImage]) async -> [Result<ClassifiedImage, ImageRejection>] {
        let classifier = self.classifier
        let batch = PreparedBatch.joined(images.map(\.batch))
        let results = await withCheckedContinuation { continuation in
            inferenceQueue.async { continuation.resume(returning: classifier.classify(batch)) }
        }
        return results.map { result in
            result
                .map { classification in
                    ClassifiedImage(
                        predictions: classification.predictions,
                        inferenceMs: classification.preprocessMilliseconds + classification.inferenceMilliseconds)
                }
                .mapError { ImageRejection(reason: $0.description) }
        }
    }
}
