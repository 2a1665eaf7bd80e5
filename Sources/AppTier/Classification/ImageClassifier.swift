import Foundation
import Pipeline
import struct Vision.PreparedBatch

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

/// One image decoded and preprocessed, waiting for the model. Opaque to the worker.
public struct PreparedImage: Sendable {
    let batch: PreparedBatch

    init(_ batch: PreparedBatch) { self.batch = batch }
}

/// The seam between the worker and the model, in two steps so that one image can be decoded while
/// the model runs on another. One failing image never fails the others of a batch.
public protocol ImageClassifier: Sendable {
    /// The model's name as results report it.
    var modelName: String { get }
    /// Decodes and preprocesses one image (an undecodable image is carried through as refused).
    func prepare(_ image: Data) async -> PreparedImage
    /// Runs the model on prepared images and answers for each, in order.
    func classify(_ images: [PreparedImage]) async -> [Result<ClassifiedImage, ImageRejection>]
}
