/// What went wrong while loading ONNX Runtime or running a model, and what to do about it.
public enum OnnxRuntimeError: Error, Equatable, CustomStringConvertible {
    /// `dlopen` or `dlsym("OrtGetApiBase")` failed for this path.
    case libraryLoadFailed(path: String, reason: String)
    /// `GetApi(version)` returned NULL: the library predates the API version we need.
    case libraryTooOld(path: String, libraryVersion: String, requiredAPIVersion: UInt32)
    /// The model file does not exist or is unreadable.
    case modelNotFound(path: String)
    /// ONNX Runtime returned an error status from `operation`.
    case runtime(operation: String, code: Int, message: String)
    /// The model's inputs/outputs are not what this binding supports (one float tensor in, one out).
    case unsupportedModel(reason: String)
    /// The tensor handed to `run` does not fit the model's input.
    case inputMismatch(reason: String)

    public var description: String {
        switch self {
        case .libraryLoadFailed(let path, let reason):
            return "cannot load ONNX Runtime from \(path): \(reason)"
        case .libraryTooOld(let path, let version, let required):
            return "ONNX Runtime library too old: \(path) is version \(version), API version \(required) is required"
        case .modelNotFound(let path):
            return "model file not found: \(path) (build it with scripts/setup or pass --model)"
        case .runtime(let operation, let code, let message):
            return "ONNX Runtime \(operation) failed (code \(code)): \(message)"
        case .unsupportedModel(let reason):
            return "unsupported model: \(reason)"
        case .inputMismatch(let reason):
            return "input does not fit the model: \(reason)"
        }
    }
}
