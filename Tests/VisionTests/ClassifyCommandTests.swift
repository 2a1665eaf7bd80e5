import Foundation
import Testing
import TestSupport
import Vision

/// The `classify` executable, run as a user runs it (built beside the test bundle by
/// `swift build --build-tests`).
@Suite(.enabled(if: ReferencePipeline.available, "needs models/efficientnet-lite0.onnx and photos (run scripts/setup)"))
struct ClassifyCommandTests {
    struct Run {
        var status: Int32
        var lines: [String]
        var standardError: String
    }

    static func executable() throws -> URL {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("classify")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw FixtureError(description: "classify executable not found near \(testBinary.path); build with --build-tests")
    }

    static func classify(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.currentDirectoryURL = TestPaths.repositoryRoot
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   lines: String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init),
                   standardError: String(decoding: errorData, as: UTF8.self))
    }

    static func object(_ line: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
    }

    @Test func jsonLinesGiveAnAnswerPerFileAnErrorPerBadFileAndExitOne() throws {
        let reference = try ReferencePipeline.shared.get()
        let text = try PythonFixtures.temporaryDirectory("cli").appendingPathComponent("notes.jpg")
        try Data("plain text".utf8).write(to: text)
        let photos = Array(reference.photos.prefix(2))
        let run = try Self.classify(["--json", "--model", ReferencePipeline.files.model] + photos.map(\.path) + [text.path])
        #expect(run.status == 1)
        #expect(run.lines.count == 3)
        guard run.lines.count == 3 else { return }
        for (index, photo) in photos.enumerated() {
            let line = run.lines[index]
            #expect(line.hasPrefix("{\"file\":"), "keys in the documented order: \(line)")
            let object = try Self.object(line)
            #expect(object["file"] as? String == photo.path)
            #expect(object["label"] as? String == reference.answers[index].label)
            #expect((object["top5"] as? [[String: Any]])?.count == 5)
            #expect((object["ms"] as? Double ?? -1) > 0)
        }
        let failure = try Self.object(run.lines[2])
        #expect(failure["file"] as? String == text.path)
        #expect((failure["error"] as? String)?.contains("unsupported image format") == true)
    }

    @Test func directoriesAreWalkedForImagesAndAllGoodMeansExitZero() throws {
        let reference = try ReferencePipeline.shared.get()
        let directory = try PythonFixtures.temporaryDirectory("cli-dir").appendingPathComponent("nested")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for photo in reference.photos.prefix(2) {
            let target = directory.appendingPathComponent(photo.lastPathComponent)
            if !FileManager.default.fileExists(atPath: target.path) { try FileManager.default.copyItem(at: photo, to: target) }
        }
        try Data("ignored".utf8).write(to: directory.appendingPathComponent("README.txt"))
        let run = try Self.classify(["--json", "--batch", "2", "--model", ReferencePipeline.files.model,
                                     directory.deletingLastPathComponent().path])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.lines.count == 2)
        #expect(try run.lines.allSatisfy { try Self.object($0)["label"] is String })
    }

    @Test func humanReadableOutputNamesTheLabelAndScore() throws {
        let reference = try ReferencePipeline.shared.get()
        let photo = reference.photos[0]
        let run = try Self.classify(["--top", "2", "--model", ReferencePipeline.files.model, photo.path])
        #expect(run.status == 0)
        #expect(run.lines.count == 1)
        #expect(run.lines.first?.hasPrefix("\(photo.path): \(reference.answers[0].label) (") == true)
    }

    @Test func aMissingModelExitsTwoWithAReason() throws {
        let run = try Self.classify(["--model", "/nonexistent/model.onnx", "whatever.jpg"])
        #expect(run.status == 2)
        #expect(run.standardError.contains("model file not found: /nonexistent/model.onnx"))
    }
}
