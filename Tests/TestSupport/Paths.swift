import Foundation
import Pipeline

/// Where the tests find the project's own files and the things setup installs.
///
/// `scripts/test` exports the `ELASTIC_*` variables; when a test is run on its own (`swift test
/// --filter ...`) they fall back to the conventional places under the repository root.
public enum TestPaths {
    /// The repository root, found from this source file's location (Tests/TestSupport/Paths.swift).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func fromEnvironment(_ name: String, default fallback: URL) -> URL {
        if let value = ProcessInfo.processInfo.environment[name], !value.isEmpty {
            return URL(fileURLWithPath: value)
        }
        return fallback
    }

    /// The project's Python venv (`.venv`), made by scripts/setup.
    public static var venv: URL { fromEnvironment("ELASTIC_VENV", default: repositoryRoot.appendingPathComponent(".venv")) }
    /// The venv's interpreter, for differential tests against Python references.
    public static var python: URL { venv.appendingPathComponent("bin/python") }
    /// Built models (`models/`, not committed).
    public static var models: URL { fromEnvironment("ELASTIC_MODELS_DIR", default: repositoryRoot.appendingPathComponent("models")) }
    /// `ORT_LIBRARY_PATH` when set, else the venv's onnxruntime wheel (a path that does not exist
    /// when there is none, so that loading it fails with that path).
    public static var onnxRuntimeLibrary: String {
        fromEnvironment("ORT_LIBRARY_PATH", default: URL(fileURLWithPath: ModelFileResolver.wheelLibrary(inVenv: venv)
            ?? venv.appendingPathComponent("lib/python3/site-packages/onnxruntime/capi/libonnxruntime.so").path)).path
    }
    /// The project's model, labels and ONNX Runtime, as the commands would resolve them.
    public static var modelFiles: ModelFiles {
        ModelFiles(model: models.appendingPathComponent("efficientnet-lite0.onnx").path,
                   labels: repositoryRoot.appendingPathComponent("Resources/imagenet-labels.json").path,
                   onnxRuntimeLibrary: onnxRuntimeLibrary)
    }
    /// Fetched test data (`testdata/`, not committed).
    public static var testdata: URL { fromEnvironment("ELASTIC_TESTDATA_DIR", default: repositoryRoot.appendingPathComponent("testdata")) }
    /// `../shared` beside the checkout, when present (reference material; tests skip without it).
    /// `ELASTIC_SHARED_DIR` overrides it; a worktree one level deeper (`wt/NAME`) finds `../../shared`.
    public static var shared: URL? {
        if let value = ProcessInfo.processInfo.environment["ELASTIC_SHARED_DIR"], !value.isEmpty {
            return FileManager.default.fileExists(atPath: value) ? URL(fileURLWithPath: value) : nil
        }
        let parent = repositoryRoot.deletingLastPathComponent()
        for candidate in [parent.appendingPathComponent("shared"),
                          parent.deletingLastPathComponent().appendingPathComponent("shared")]
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("sigv4").path)
            || FileManager.default.fileExists(atPath: candidate.appendingPathComponent("DESIGN.md").path) {
            return candidate
        }
        return nil
    }

    /// A binary of this package built beside the test bundle (`swift build --build-tests` builds
    /// them all), else the conventional debug location.
    public static func builtExecutable(_ name: String) -> URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return repositoryRoot.appendingPathComponent(".build/debug/\(name)")
    }
}
