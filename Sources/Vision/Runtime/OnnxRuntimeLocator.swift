import Foundation

/// Finds `libonnxruntime.so`: an explicit path, then `ORT_LIBRARY_PATH`, then the project venv's
/// onnxruntime wheel (`ELASTIC_VENV`, or a `.venv` found walking up from the current directory and
/// from the executable).
public struct OnnxRuntimeLocator: Sendable {
    public var environment: [String: String]
    public var startDirectories: [URL]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                startDirectories: [URL]? = nil) {
        self.environment = environment
        self.startDirectories = startDirectories ?? Self.defaultStartDirectories()
    }

    static func defaultStartDirectories() -> [URL] {
        var directories = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        if let executable = Bundle.main.executableURL {
            directories.append(executable.deletingLastPathComponent())
        }
        return directories
    }

    /// The library to load, or `libraryNotFound` listing every place looked at.
    public func locate(explicitPath: String? = nil) throws(OnnxRuntimeError) -> String {
        if let explicitPath, !explicitPath.isEmpty { return explicitPath }
        if let fromEnvironment = environment["ORT_LIBRARY_PATH"], !fromEnvironment.isEmpty { return fromEnvironment }
        var searched: [String] = []
        for venv in candidateVenvs() {
            let libDirectory = venv.appendingPathComponent("lib")
            searched.append(libDirectory.path + "/python3*/site-packages/onnxruntime/capi")
            if let found = Self.wheelLibrary(inLibDirectory: libDirectory) { return found }
        }
        throw .libraryNotFound(searched: searched)
    }

    func candidateVenvs() -> [URL] {
        var venvs: [URL] = []
        if let venv = environment["ELASTIC_VENV"], !venv.isEmpty { venvs.append(URL(fileURLWithPath: venv)) }
        for start in startDirectories {
            var directory = start.standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent(".venv")
                if FileManager.default.fileExists(atPath: candidate.path), !venvs.contains(candidate) {
                    venvs.append(candidate)
                }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        return venvs
    }

    /// `lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so.*`, newest name first.
    static func wheelLibrary(inLibDirectory libDirectory: URL) -> String? {
        let fileManager = FileManager.default
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
