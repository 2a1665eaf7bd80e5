import Foundation

/// A test hook: adds a fixed delay to every classification, so that tests can kill or stop a
/// worker while a job is certainly in the middle of being processed. Enabled only by the
/// `ELASTIC_TEST_INFERENCE_DELAY_MS` environment variable; never configured in production files.
public struct DelayingClassifier: ImageClassifier {
    public let wrapped: any ImageClassifier
    public let delay: Duration

    public init(wrapping wrapped: any ImageClassifier, delay: Duration) {
        self.wrapped = wrapped
        self.delay = delay
    }

    public var modelName: String { wrapped.modelName }

    public func prepare(_ image: Data) async -> PreparedImage {
        await wrapped.prepare(image)
    }

    public func classify(_ images: [PreparedImage]) async -> [Result<ClassifiedImage, ImageRejection>] {
        try? await Task.sleep(for: delay)
        return await wrapped.classify(images)
    }
}
