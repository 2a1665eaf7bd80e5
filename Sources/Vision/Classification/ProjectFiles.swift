import Foundation

/// Finds the project's own files (the model, the labels) without a fixed install location:
/// an environment variable first, then the path as given, then relative to the current directory
/// and the executable and each of their parents.
public enum ProjectFiles {
    public static let defaultModel = "models/efficientnet-lite0.onnx"
    public static let defaultLabels = "Resources/imagenet-labels.json"

    /// The model path: `ELASTIC_MODEL`, else `defaultModel` found upwards.
    public static func modelPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["ELASTIC_MODEL"], !path.isEmpty { return path }
        return find(defaultModel) ?? defaultModel
    }

    /// The labels path: `ELASTIC_LABELS`, else `defaultLabels` found upwards.
    public static func labelsPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["ELASTIC_LABELS"], !path.isEmpty { return path }
        return find(defaultLabels) ?? defaultLabels
    }

    /// `relativePath` under the current directory, the executable's directory, or a parent of either.
    public static func find(_ relativePath: String) -> String? {
        if relativePath.hasPrefix("/") { return FileManager.default.fileExists(atPath: relativePath) ? relativePath : nil }
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        if let executable = Bundle.main.executableURL { starts.append(executable.deletingLastPathComponent()) }
        for start in starts {
            var directory = start.standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent(relativePath)
                if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        return nil
    }
}
