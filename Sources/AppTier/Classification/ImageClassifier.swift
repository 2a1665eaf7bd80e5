import Foundation
import Pipeline

/// An image the classifier could not accept, with a reason a person can read. This is a property
/// of the image (undecodable, over the limits), so the job ends with an `error` result, not a retry.
public struct ImageRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String { reason }
}

/// A classified image: the top predictions, best first, and the time spent on it.
public struct ClassifiedImage: Sendable, Equatable {
    public var predictions: [Prediction]
    public var inferenceMs: Double

    public init(predictions: [Prediction], inferenceMs: Double) {
        self.predictions = predictions
        self.inferenceMs = inferenceMs
    }
}

/// The seam between the worker and the model. One failing image never fails the others of a batch.
public protocol ImageClassifier: Sendable {
    /// The model's name as results report it.
    var modelName: String { get }
    /// Classifies each image of the batch, in order.
    func classify(_ images: [Data]) async -> [Result<ClassifiedImage, ImageRejection>]
}
