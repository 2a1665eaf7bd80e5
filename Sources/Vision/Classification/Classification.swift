import Foundation
import Pipeline

/// The answer for one image.
public struct Classification: Sendable, Equatable {
    /// Best first; `predictions[0]` is the answer. The same type the result messages carry.
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
