import AppTier
import Foundation
import Logging

/// A test double: adds a fixed delay to every classification, so that tests can kill or stop a
/// worker while a job is certainly in the middle of being processed.
struct DelayingClassifier: ImageClassifier {
    let wrapped: any ImageClassifier
    let delay: Duration
    let logger: Logger

    /// Logged as the delay begins: the job is then certainly in the middle of being processed.
    static let startedLine = "classification delayed"

    var modelName: String { wrapped.modelName }

    func prepare(_ image: Data) async -> PreparedImage {
        await wrapped.prepare(image)
    }

    func classify(_ images: [PreparedImage]) async -> [Result<ClassifiedImage, ImageRejection>] {
        logger.info("\(Self.startedLine)", metadata: ["images": "\(images.count)"])
        try? await Task.sleep(for: delay)
        return await wrapped.classify(images)
    }
}
