import Foundation

/// Turns the configuration's model settings into the files to load. Relative paths are taken from
/// one directory (the current one for the commands), never searched for in parent directories:
/// what runs is what the configuration names. A library not configured is the project venv's
/// onnxruntime wheel (`aws.localServer.venv`, which `ELASTIC_VENV` sets).
public struct ModelFileResolver: Sendable {
    /// Where relative paths start.
    public var baseDirectory: URL

    public init(baseDirectory: URL) {
        self.baseDirectory = baseDirectory
    }

    /// Every file checked to exist, so that a missing one is reported before anything loads.
    public func resolve(_ configuration: Configuration) throws(ModelFileError) -> ModelFiles {
        let model = absolute(configuration.model.path)
        guard exists(model) else { throw .modelNotFound(path: model) }
        let labels = absolute(configuration.model.labelsPath)
        guard exists(labels) else { throw .labelsNotFound(path: labels) }
        let library: String
        if let configured = configuration.model.onnxRuntimeLibrary, !configured.isEmpty {
            library = absolute(configured)
            guard exists(library) else { throw .onnxRuntimeMissing(path: library) }
        } else {
            let venv = URL(fileURLWithPath: absolute(configuration.aws.localServer.venv))
            guard let found = Self.wheelLibrary(inVenv: venv) else {
                throw .onnxRuntimeNotFound(venv: venv.path,
                                           searched: venv.path + "/lib/python3*/site-packages/onnxruntime/capi")
            }
            library = found
        }
        return ModelFiles(model: model, labels: labels, onnxRuntimeLibrary: library)
    }

    func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return baseDirectory.appendingPathComponent(path).standardizedFileURL.path
    }

    private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// `lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so*` in `venv`, newest Python
    /// and newest library name first; nil when there is none.
    public static func wheelLibrary(inVenv venv: URL) -> String? {
        let fileManager = FileManager.default
        let libDirectory = venv.appendingPathComponent("lib")
        guard let pythons = try? fileManager.contentsOfDirectory(atPath: libDirectory.path) else { return nil }
        for python in pythons.sorted().reversed() where python.hasPrefix("python3") {
            let capi = libDirectory.appendingPathComponent(python)
                .appendingPathComponent("site-packages/onnxruntime/capi")
            guard let files = try? fileManager.contentsOfDirectory(atPath: capi.path) else { continue }
            if let library = files.filter({ $0.hasPrefix("libonnxruntime.so") }).sorted().last {
                return capi.appendingPathComponent(library).path
            }
        }
        return nil
    }
}

extension ConfigurationLoader {
    /// The model's files for a loaded configuration, relative paths taken from the current directory.
    public func modelFiles(for configuration: Configuration) throws(ModelFileError) -> ModelFiles {
        try ModelFileResolver(baseDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .resolve(configuration)
    }
}
