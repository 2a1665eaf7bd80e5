import Foundation
import TestSupport

/// A failure to produce fixtures with the project's Python venv.
struct FixtureError: Error, CustomStringConvertible, Sendable {
    var description: String
}

/// Runs the venv's Python (numpy, Pillow, onnx, onnxruntime) to make fixtures and references at
/// test time.
enum PythonFixtures {
    static let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// Runs `python arguments...`; returns stdout, throws with stderr on a non-zero exit.
    static func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = TestPaths.python
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        process.environment = environment
        let output = Pipe()
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("vision-py-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        process.standardOutput = output
        process.standardError = errorHandle
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? errorHandle.close()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw FixtureError(description: "python \(arguments.first ?? "") exited \(process.terminationStatus): \(message.suffix(2000))")
        }
        return data
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vision-tests-\(name)-\(getpid())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The image fixtures (made once per test process) and Pillow's decode of each.
    static let images: Result<ImageFixtures, FixtureError> = capture {
        let directory = try temporaryDirectory("images")
        _ = try run([fixturesDirectory.appendingPathComponent("make_image_fixtures.py").path, directory.path])
        return try ImageFixtures(directory: directory)
    }

    /// The tiny linear ONNX model (made once per test process).
    static let tinyModel: Result<String, FixtureError> = capture {
        let path = try temporaryDirectory("model").appendingPathComponent("tiny.onnx").path
        _ = try run([fixturesDirectory.appendingPathComponent("make_tiny_model.py").path, path])
        return path
    }

    static func capture<Value>(_ body: () throws -> Value) -> Result<Value, FixtureError> {
        do { return .success(try body()) } catch let error as FixtureError {
            return .failure(error)
        } catch {
            return .failure(FixtureError(description: "\(error)"))
        }
    }
}

/// The generated image files and Pillow's view of them.
struct ImageFixtures: Sendable {
    struct Entry: Decodable, Sendable {
        var file: String
        var width: Int?
        var height: Int?
        var rgb: String?
    }

    let directory: URL
    let entries: [String: Entry]

    init(directory: URL) throws {
        self.directory = directory
        let manifest = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        entries = try JSONDecoder().decode([String: Entry].self, from: manifest)
    }

    func bytes(_ name: String) throws -> Data {
        guard let entry = entries[name] else { throw FixtureError(description: "no fixture \(name)") }
        return try Data(contentsOf: directory.appendingPathComponent(entry.file))
    }

    /// Pillow's decode (EXIF orientation applied, convert("RGB")).
    func pillowImage(_ name: String) throws -> RGBImage {
        guard let entry = entries[name], let rgb = entry.rgb, let width = entry.width, let height = entry.height else {
            throw FixtureError(description: "no Pillow reference for \(name)")
        }
        return RGBImage(width: width, height: height, pixels: [UInt8](try Data(contentsOf: directory.appendingPathComponent(rgb))))
    }

    /// The upright pattern the EXIF fixtures were made from.
    func upright() throws -> RGBImage {
        RGBImage(width: 96, height: 64, pixels: [UInt8](try Data(contentsOf: directory.appendingPathComponent("upright.rgb"))))
    }
}

import Vision

/// Largest and mean absolute difference between two byte images of the same size.
func pixelDifference(_ a: RGBImage, _ b: RGBImage) -> (maximum: Int, mean: Double) {
    guard a.width == b.width, a.height == b.height else { return (Int.max, .infinity) }
    var maximum = 0, total = 0
    for (x, y) in zip(a.pixels, b.pixels) {
        let difference = abs(Int(x) - Int(y))
        maximum = max(maximum, difference)
        total += difference
    }
    return (maximum, Double(total) / Double(max(a.pixels.count, 1)))
}
