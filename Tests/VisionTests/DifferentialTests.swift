import Foundation
import Testing
import TestSupport
@testable import Vision

/// Our pipeline against the Python reference (Pillow + numpy + onnxruntime) on the same model and
/// the same real photos.
@Suite(.enabled(if: ReferencePipeline.available, "needs models/efficientnet-lite0.onnx and photos (run scripts/setup)"))
struct DifferentialTests {
    static let perImage = 3 * 224 * 224

    /// Preprocessing alone, full-size decode: our tensor equals Pillow's (same bytes after the
    /// resize, so the floats agree to float32 rounding). Catches any resampling drift early.
    @Test func fullDecodeTensorsEqualPillows() throws {
        let reference = try ReferencePipeline.shared.get()
        let decoder = ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: nil))
        let preprocessor = Preprocessor()
        for (index, photo) in reference.photos.enumerated() {
            let ours = preprocessor.tensor(for: try decoder.decode(try Data(contentsOf: photo)))
            let theirs = reference.tensors[(index * Self.perImage)..<((index + 1) * Self.perImage)]
            let maximum = zip(ours, theirs).map { abs($0 - $1) }.max() ?? .infinity
            #expect(maximum <= 1e-5, "\(photo.lastPathComponent): max |diff| \(maximum)")
        }
    }

    /// Decoding only what the crop reads (the way `Classifier` decodes): still Pillow's tensor.
    @Test func regionDecodeTensorsEqualPillows() throws {
        let reference = try ReferencePipeline.shared.get()
        let decoder = ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: nil))
        let preprocessor = Preprocessor()
        for (index, photo) in reference.photos.enumerated() {
            let image = try decoder.decode(try Data(contentsOf: photo), needing: preprocessor.sourceRegion)
            let ours = preprocessor.tensor(for: image)
            let theirs = reference.tensors[(index * Self.perImage)..<((index + 1) * Self.perImage)]
            let maximum = zip(ours, theirs).map { abs($0 - $1) }.max() ?? .infinity
            #expect(maximum <= 1e-5, "\(photo.lastPathComponent) (held \(image.region)): max |diff| \(maximum)")
        }
    }

    /// With DCT-domain JPEG downscaling (the default) large JPEGs differ slightly from Pillow's
    /// full decode + resize; the difference stays small (one 8-bit level is 1/255/std ~ 0.017).
    @Test func dctScaledTensorsStayCloseToPillows() throws {
        let reference = try ReferencePipeline.shared.get()
        let decoder = ImageDecoder()
        let preprocessor = Preprocessor()
        for (index, photo) in reference.photos.enumerated() {
            let ours = preprocessor.tensor(for: try decoder.decode(try Data(contentsOf: photo)))
            let theirs = reference.tensors[(index * Self.perImage)..<((index + 1) * Self.perImage)]
            let differences = zip(ours, theirs).map { abs($0 - $1) }
            let mean = differences.reduce(0, +) / Float(differences.count)
            #expect(mean < 0.05, "\(photo.lastPathComponent): mean |diff| \(mean)")
        }
    }

    /// Full decode, and the default DCT downscaling (shorter side kept >= 512).
    @Test(arguments: [nil, 512] as [Int?])
    func classificationsMatchThePythonPipeline(jpegMinimumShorterSide: Int?) throws {
        let reference = try ReferencePipeline.shared.get()
        let configuration = ClassifierConfiguration(
            files: ReferencePipeline.files,
            session: SessionOptions(intraOpThreads: 1),
            decoding: DecodingOptions(jpegMinimumShorterSide: jpegMinimumShorterSide))
        let classifier = try Classifier(configuration: configuration)
        for (photo, answer) in zip(reference.photos, reference.answers) {
            let ours = try classifier.classify(try Data(contentsOf: photo))
            let name = photo.lastPathComponent
            #expect(ours.label == answer.label, "\(name): top-1 \(ours.label) vs \(answer.label)")
            #expect(Set(ours.predictions.map(\.label)) == Set(answer.top5.map(\.label)), "\(name): top-5 sets differ")
            let theirs = Dictionary(answer.top5.map { ($0.label, $0.score) }, uniquingKeysWith: max)
            for prediction in ours.predictions {
                guard let score = theirs[prediction.label] else { continue }
                #expect(abs(prediction.score - score) <= 0.02, "\(name): \(prediction.label) \(prediction.score) vs \(score)")
            }
        }
    }

    @Test func batchedClassificationEqualsSingleClassification() throws {
        let reference = try ReferencePipeline.shared.get()
        let classifier = try Classifier(configuration: ClassifierConfiguration(
            files: ReferencePipeline.files,
            session: SessionOptions(intraOpThreads: 1)))
        let images = try reference.photos.prefix(5).map { try Data(contentsOf: $0) } + [Data("not an image".utf8)]
        let batched = classifier.classify(batch: images)
        #expect(batched.count == images.count)
        for (index, image) in images.enumerated().dropLast() {
            let single = try classifier.classify(image)
            let fromBatch = try batched[index].get()
            #expect(fromBatch.label == single.label)
            for (a, b) in zip(fromBatch.predictions, single.predictions) { #expect(abs(a.score - b.score) < 1e-4) }
        }
        guard case .failure(.image(.unsupportedFormat)) = batched.last! else {
            Issue.record("the text item should fail alone as unsupported, got \(batched.last!)")
            return
        }
    }

    @Test func classifierIsSafeToShareAcrossThreads() async throws {
        let reference = try ReferencePipeline.shared.get()
        let classifier = try Classifier(configuration: ClassifierConfiguration(
            files: ReferencePipeline.files,
            session: SessionOptions(intraOpThreads: 1)))
        let images = try reference.photos.prefix(4).map { try Data(contentsOf: $0) }
        let expected = try images.map { try classifier.classify($0).label }
        let labels = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 {
                group.addTask { try images.map { try classifier.classify($0).label } }
            }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(labels == Array(repeating: expected, count: 4))
    }
}
