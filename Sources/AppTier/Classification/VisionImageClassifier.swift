import Dispatch
import Foundation
import Pipeline
import Vision

/// The worker's classifier: our Vision pipeline (libjpeg-turbo/libpng, Pillow-equal
/// preprocessing, ONNX Runtime) with one shared session.
public struct VisionImageClassifier: ImageClassifier {
    public let classifier: Classifier
    public let modelName: String
    /// Inference is CPU-bound for milliseconds at a time: it runs on its own queue so it never
    /// occupies the threads of Swift's cooperative pool, which keep the downloads going.
    private let queue = DispatchQueue(label: "apptier.inference", qos: .userInitiated)

    public init(classifier: Classifier, modelName: String) {
        self.classifier = classifier
        self.modelName = modelName
    }

    /// Loads the model named by the configuration (relative paths are looked up from the current
    /// directory and the executable's, like the `classify` command does).
    public init(settings: ModelSettings) throws(ClassifierSetupError) {
        let configuration = ClassifierConfiguration(
            modelPath: ProjectFiles.find(settings.path) ?? settings.path,
            labelsPath: ProjectFiles.find(settings.labelsPath) ?? settings.labelsPath,
            onnxRuntimeLibrary: settings.onnxRuntimeLibrary,
            session: SessionOptions(intraOpThreads: settings.intraOpThreads),
            preprocessing: PreprocessingConfiguration(
                resizeShorterSide: settings.resizeShorterSide, cropSize: settings.cropSize,
                mean: settings.mean, std: settings.std),
            decoding: DecodingOptions(maxBytes: settings.maxImageBytes, maxPixels: settings.maxImagePixels),
            topK: settings.topK)
        self.init(classifier: try Classifier(configuration: configuration), modelName: settings.name)
    }

    public func classify(_ images: [Data]) async -> [Result<ClassifiedImage, ImageRejection>] {
        let classifier = self.classifier
        let results = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: classifier.classify(batch: images)) }
        }
        return results.map { result in
            result
                .map { classification in
                    ClassifiedImage(
                        predictions: classification.predictions.map { Pipeline.Prediction(label: $0.label, score: $0.score) },
                        inferenceMs: classification.preprocessMilliseconds + classification.inferenceMilliseconds)
                }
                .mapError { ImageRejection(reason: $0.description) }
        }
    }
}
