/// A file the classifier needs that is not where the configuration says, and how to provide it.
/// One wording serves the worker (settings) and `classify` (flags): each names both.
public enum ModelFileError: Error, Equatable, CustomStringConvertible {
    /// `model.path` names no file.
    case modelNotFound(path: String)
    /// `model.labelsPath` names no file.
    case labelsNotFound(path: String)
    /// `model.onnxRuntimeLibrary` (or `ORT_LIBRARY_PATH`) names no file.
    case onnxRuntimeMissing(path: String)
    /// No library was configured and the venv holds no onnxruntime wheel.
    case onnxRuntimeNotFound(venv: String, searched: String)

    public var description: String {
        switch self {
        case let .modelNotFound(path):
            return "model file not found: \(path) (model.path): run ./scripts/setup (it builds "
                + "models/efficientnet-lite0.onnx), or point model.path at a model "
                + "(--set model.path=FILE, classify --model FILE, or ELASTIC_MODEL)"
        case let .labelsNotFound(path):
            return "labels file not found: \(path) (model.labelsPath): run from the checkout, or point "
                + "model.labelsPath at them (--set model.labelsPath=FILE, classify --labels FILE, or ELASTIC_LABELS)"
        case let .onnxRuntimeMissing(path):
            return "the ONNX Runtime library \(path) does not exist (model.onnxRuntimeLibrary, ORT_LIBRARY_PATH "
                + "or classify --onnx-runtime-library): point it at libonnxruntime.so, or leave it unset to use "
                + "the one ./scripts/setup installs into .venv"
        case let .onnxRuntimeNotFound(venv, searched):
            return "ONNX Runtime library not found: no onnxruntime wheel in the venv \(venv) (searched \(searched)): "
                + "run ./scripts/setup to install it, point ELASTIC_VENV at a venv that has it, or set "
                + "ORT_LIBRARY_PATH (model.onnxRuntimeLibrary) to libonnxruntime.so"
        }
    }
}
