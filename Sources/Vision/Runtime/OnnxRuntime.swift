import COnnxRuntime
import Foundation

/// A loaded ONNX Runtime library (dlopen'ed at run time) with its process environment and the CPU
/// memory description used for input tensors.
///
/// `@unchecked Sendable`: every stored property is immutable after `init`, and ONNX Runtime
/// documents the API table, `OrtEnv` and `OrtMemoryInfo` as safe to use from several threads.
public final class OnnxRuntime: @unchecked Sendable {
    /// Every slot we call exists since API version 1; asking for more would refuse older libraries
    /// for no reason.
    public static let requiredAPIVersion: UInt32 = 5  // AddSessionConfigEntry

    /// The path the library was loaded from.
    public let libraryPath: String
    /// The library's own version string, e.g. "1.32.0".
    public let version: String

    let api: OrtApi
    let env: OpaquePointer
    let memoryInfo: OpaquePointer

    /// Loads the library at `libraryPath` (`ModelFileResolver` finds it from the configuration).
    /// - Parameter apiVersion: the API table version to request; a library that does not offer it
    ///   is reported as `libraryTooOld`.
    public init(libraryPath path: String, apiVersion: UInt32 = requiredAPIVersion) throws(OnnxRuntimeError) {
        var library = ECOrtLibrary()
        if ec_ort_open(path, &library) != 0 {
            let reason = withUnsafeBytes(of: library.error) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            throw .libraryLoadFailed(path: path, reason: reason)
        }
        // The handle is deliberately never dlclose'd: ONNX Runtime keeps thread pools and static
        // state that must not be unmapped while the process runs.
        guard let base = library.base else { throw .libraryLoadFailed(path: path, reason: "no API base") }
        let version = base.pointee.GetVersionString.flatMap { $0() }.map { String(cString: $0) } ?? "unknown"
        guard let table = base.pointee.GetApi?(apiVersion) else {
            throw .libraryTooOld(path: path, libraryVersion: version, requiredAPIVersion: apiVersion)
        }
        let api = table.pointee
        var env: OpaquePointer?
        try Self.check(api, api.CreateEnv(ORT_LOGGING_LEVEL_WARNING, "elastic-classifier", &env), "CreateEnv")
        var memoryInfo: OpaquePointer?
        do {
            try Self.check(api, api.CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &memoryInfo),
                           "CreateCpuMemoryInfo")
        } catch {
            api.ReleaseEnv(env)
            throw error
        }
        self.libraryPath = path
        self.version = version
        self.api = api
        self.env = env!
        self.memoryInfo = memoryInfo!
    }

    deinit {
        api.ReleaseMemoryInfo(memoryInfo)
        api.ReleaseEnv(env)
    }

    /// Turns a non-NULL `OrtStatus` into a typed error and releases it.
    func check(_ status: OpaquePointer?, _ operation: String) throws(OnnxRuntimeError) {
        try Self.check(api, status, operation)
    }

    static func check(_ api: OrtApi, _ status: OpaquePointer?, _ operation: String) throws(OnnxRuntimeError) {
        guard let status else { return }
        let code = Int(api.GetErrorCode(status).rawValue)
        let message = api.GetErrorMessage(status).map { String(cString: $0) } ?? ""
        api.ReleaseStatus(status)
        throw .runtime(operation: operation, code: code, message: message)
    }
}
