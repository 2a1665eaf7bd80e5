import CommandSupport
import Foundation
import Pipeline
import Vision

/// What a worker needs before it can do anything useful: the model, ONNX Runtime, and (in local
/// mode) a local AWS that answers. Checked up front so that `swift run apptier` in an unprepared
/// checkout says what is missing and which command provides it, instead of failing deep inside.
enum WorkerPrerequisites {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static func check(_ configuration: Configuration, environment: [String: String]) throws(Missing) {
        let model = configuration.model
        guard ProjectFiles.find(model.path) != nil else {
            throw Missing(description: "the model \(model.path) (model.path) was not found from "
                + "\(FileManager.default.currentDirectoryPath) or beside this executable, nor in a parent of either: "
                + "run ./scripts/setup (it builds models/efficientnet-lite0.onnx), or point model.path at a model "
                + "(--set model.path=FILE, or ELASTIC_MODEL)")
        }
        guard ProjectFiles.find(model.labelsPath) != nil else {
            throw Missing(description: "the labels \(model.labelsPath) (model.labelsPath) were not found: run from the "
                + "checkout, or point model.labelsPath at them (--set model.labelsPath=FILE, or ELASTIC_LABELS)")
        }
        do {
            let library = try OnnxRuntimeLocator(environment: environment).locate(explicitPath: model.onnxRuntimeLibrary)
            guard FileManager.default.fileExists(atPath: library) else {
                throw Missing(description: "the ONNX Runtime library \(library) (model.onnxRuntimeLibrary or "
                    + "ORT_LIBRARY_PATH) does not exist: point it at libonnxruntime.so, or unset it to use the "
                    + "one ./scripts/setup installs into .venv")
            }
        } catch let error as Missing {
            throw error
        } catch {
            throw Missing(description: "\(error)")
        }
        if let text = configuration.aws.endpointURL, let url = URL(string: text),
           let (host, port) = LoopbackProbe.loopbackAddress(of: url), !LoopbackProbe.accepts(host: host, port: port) {
            throw Missing(description: "nothing answers at \(text) (aws.endpointURL), the local AWS this worker "
                + "polls: start the local system with `swift run webtier` or ./scripts/run (both start moto there), "
                + "or pass --endpoint with the URL of a running moto")
        }
    }
}
