import Foundation
import Testing
@testable import Pipeline

/// The model's files come from the configuration, relative to one directory, and nowhere else.
@Suite struct ModelFileResolverTests {
    /// A checkout-like tree: `models/m.onnx`, `labels.json`, and a venv with an onnxruntime wheel.
    static func tree(wheel: Bool = true) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("model-files-\(UUID().uuidString)")
        let capi = root.appendingPathComponent(".venv/lib/python3.12/site-packages/onnxruntime/capi")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("models"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: capi, withIntermediateDirectories: true)
        try Data().write(to: root.appendingPathComponent("models/m.onnx"))
        try Data("[]".utf8).write(to: root.appendingPathComponent("labels.json"))
        if wheel { try Data().write(to: capi.appendingPathComponent("libonnxruntime.so.1.20.0")) }
        return root
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.model.path = "models/m.onnx"
        configuration.model.labelsPath = "labels.json"
        return configuration
    }

    @Test func relativePathsAndTheVenvWheelResolveFromTheBaseDirectory() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(at: root) }
        let files = try ModelFileResolver(baseDirectory: root).resolve(Self.configuration())
        #expect(files.model == root.appendingPathComponent("models/m.onnx").path)
        #expect(files.labels == root.appendingPathComponent("labels.json").path)
        #expect(files.onnxRuntimeLibrary
            == root.appendingPathComponent(".venv/lib/python3.12/site-packages/onnxruntime/capi/libonnxruntime.so.1.20.0").path)
    }

    @Test func aConfiguredLibraryIsUsedAsGiven() throws {
        let root = try Self.tree(wheel: false)
        defer { try? FileManager.default.removeItem(at: root) }
        var configuration = Self.configuration()
        configuration.model.onnxRuntimeLibrary = root.appendingPathComponent("labels.json").path  // any existing file
        let files = try ModelFileResolver(baseDirectory: root).resolve(configuration)
        #expect(files.onnxRuntimeLibrary == configuration.model.onnxRuntimeLibrary)
    }

    /// The old lookup walked up parent directories; a model one level up must not be found.
    @Test func nothingIsSearchedForInParentDirectories() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(at: root) }
        let below = root.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: below, withIntermediateDirectories: true)
        #expect(throws: ModelFileError.modelNotFound(path: below.appendingPathComponent("models/m.onnx").path)) {
            try ModelFileResolver(baseDirectory: below).resolve(Self.configuration())
        }
    }

    @Test func eachMissingFileIsNamedWithTheFix() throws {
        let root = try Self.tree(wheel: false)
        defer { try? FileManager.default.removeItem(at: root) }
        let resolver = ModelFileResolver(baseDirectory: root)

        var configuration = Self.configuration()
        configuration.model.labelsPath = "/nonexistent/labels.json"
        #expect(throws: ModelFileError.labelsNotFound(path: "/nonexistent/labels.json")) { try resolver.resolve(configuration) }

        configuration = Self.configuration()
        configuration.model.onnxRuntimeLibrary = "/nonexistent/libonnxruntime.so"
        do {
            _ = try resolver.resolve(configuration)
            Issue.record("a missing configured library was accepted")
        } catch {
            #expect(error == .onnxRuntimeMissing(path: "/nonexistent/libonnxruntime.so"))
            #expect(error.description.contains("./scripts/setup"))
        }

        do {
            _ = try resolver.resolve(Self.configuration())
            Issue.record("a venv without the wheel gave a library")
        } catch {
            guard case .onnxRuntimeNotFound(let venv, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(venv == root.appendingPathComponent(".venv").path)
            #expect(error.description.contains("./scripts/setup") && error.description.contains("ORT_LIBRARY_PATH"))
        }
    }

    @Test func theModelMessageNamesTheSettingTheFlagAndSetup() {
        let message = ModelFileError.modelNotFound(path: "/nonexistent/model.onnx").description
        for part in ["/nonexistent/model.onnx", "model.path", "--model", "./scripts/setup", "ELASTIC_MODEL"] {
            #expect(message.contains(part), "\(part)")
        }
    }
}
