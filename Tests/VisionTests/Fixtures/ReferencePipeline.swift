import Foundation
import TestSupport
import Vision

/// The real photos (testdata/photos from setup, plus ../shared/photos when present) and the
/// Python reference pipeline's answers on them (Benchmarks/reference/classify_reference.py:
/// Pillow + numpy + onnxruntime, run from the venv at test time).
struct ReferencePipeline: Sendable {
    struct Answer: Decodable, Sendable {
        struct Entry: Decodable, Sendable {
            var label: String
            var score: Double
        }
        var file: String
        var label: String
        var score: Double
        var top5: [Entry]
    }

    static let files = TestPaths.modelFiles
    static let script = TestPaths.repositoryRoot.appendingPathComponent("Benchmarks/reference/classify_reference.py").path

    static var photos: [URL] {
        var directories = [TestPaths.testdata.appendingPathComponent("photos")]
        // ../shared beside the checkout (or beside a worktree's parent).
        if let shared = TestPaths.shared {
            directories.append(shared.appendingPathComponent("photos"))
        }
        return directories.flatMap { directory -> [URL] in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.sorted().filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }.map { directory.appendingPathComponent($0) }
        }
    }

    /// Whether the model and at least one photo exist (scripts/setup makes both).
    static var available: Bool {
        FileManager.default.fileExists(atPath: files.model) && !photos.isEmpty
    }

    let photos: [URL]
    let answers: [Answer]
    /// Pillow's preprocessed tensors, `[photos.count, 3, 224, 224]`.
    let tensors: [Float]

    static let shared: Result<ReferencePipeline, FixtureError> = PythonFixtures.capture {
        let photos = Self.photos
        let tensorFile = try PythonFixtures.temporaryDirectory("reference").appendingPathComponent("tensors.f32")
        let output = try PythonFixtures.run([script, "--model", files.model, "--labels", files.labels, "--threads", "1",
                                             "--tensor-out", tensorFile.path] + photos.map(\.path))
        let answers = try String(decoding: output, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Answer.self, from: Data($0.utf8))
        }
        guard answers.count == photos.count else {
            throw FixtureError(description: "reference answered \(answers.count) of \(photos.count) photos")
        }
        let raw = try Data(contentsOf: tensorFile)
        let tensors = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return ReferencePipeline(photos: photos, answers: answers, tensors: tensors)
    }
}
