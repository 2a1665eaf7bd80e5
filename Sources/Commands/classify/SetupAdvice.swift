import Foundation
import Vision

/// A classifier that cannot start, said for someone at the command line: what is missing and
/// which flag or command provides it.
enum SetupAdvice {
    static func message(for error: ClassifierSetupError) -> String {
        switch error {
        case .runtime(.libraryLoadFailed(let path, _)) where !FileManager.default.fileExists(atPath: path):
            return "ONNX Runtime library \(path) does not exist (--onnx-runtime-library or ORT_LIBRARY_PATH): "
                + "point it at libonnxruntime.so, or leave both unset to use the one ./scripts/setup installs into .venv"
        case .runtime(.modelNotFound(let path)):
            return "model file not found: \(path): run ./scripts/setup (it builds models/efficientnet-lite0.onnx), "
                + "or pass --model FILE (or set ELASTIC_MODEL)"
        default:
            return error.description
        }
    }
}
