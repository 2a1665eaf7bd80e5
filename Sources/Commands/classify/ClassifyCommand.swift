import ArgumentParser
import Foundation
import Pipeline
import Vision

/// `classify PATH...`: classifies local JPEG/PNG files (directories are walked) with the project's
/// model, printing one line per input.
@main
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify JPEG/PNG images with an ImageNet ONNX model.",
        discussion: "Exits 0 when every input was classified, 1 when any failed, 2 when the classifier cannot start.")

    @Argument(help: "Image files or directories (walked recursively for .jpg/.jpeg/.png and other image names).")
    var paths: [String]

    @Option(name: .long, help: "How many ranked classes to print.")
    var top: Int = 5

    @Flag(name: .long, help: "One JSON object per input: {file,label,score,top5,ms} or {file,error}.")
    var json = false

    @Option(name: .long, help: "ONNX model (default: model.path: $ELASTIC_MODEL, else models/efficientnet-lite0.onnx in the current directory).")
    var model: String?

    @Option(name: .long, help: "Labels JSON array (default: model.labelsPath: $ELASTIC_LABELS, else Resources/imagenet-labels.json).")
    var labels: String?

    @Option(name: .long, help: "ONNX Runtime intra-op threads (default: model.intraOpThreads).")
    var threads: Int?

    @Option(name: .long, help: "Images per model run.")
    var batch: Int = 1

    @Option(name: .long, help: "libonnxruntime.so (default: $ORT_LIBRARY_PATH, else the wheel in the project venv, $ELASTIC_VENV or .venv).")
    var onnxRuntimeLibrary: String?

    @Flag(name: .long, help: "Decode JPEGs at full size (bit-identical to Pillow) instead of DCT-domain downscaling.")
    var fullDecode = false

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        guard (threads ?? 0) >= 0 else { throw ValidationError("--threads must be 0 (automatic) or more") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        let (settings, files) = try Self.modelSetup(
            environment: ProcessInfo.processInfo.environment,
            flags: { model in
                if let path = self.model { model.path = path }
                if let path = labels { model.labelsPath = path }
                if let path = onnxRuntimeLibrary { model.onnxRuntimeLibrary = path }
                if let threads { model.intraOpThreads = threads }
            })
        let configuration = ClassifierConfiguration(
            files: files,
            session: SessionOptions(intraOpThreads: settings.intraOpThreads),
            preprocessing: PreprocessingConfiguration(
                resizeShorterSide: settings.resizeShorterSide, cropSize: settings.cropSize,
                mean: settings.mean, std: settings.std),
            decoding: DecodingOptions(maxBytes: settings.maxImageBytes, maxPixels: settings.maxImagePixels,
                                      jpegMinimumShorterSide: fullDecode ? nil
                                          : DecodingOptions.defaultJPEGMinimumShorterSide(resizeShorterSide: settings.resizeShorterSide)),
            topK: max(top, 5))
        let classifier: Classifier
        do {
            classifier = try Classifier(configuration: configuration)
        } catch {
            throw Self.cannotStart(error.description)
        }
        let inputs = InputFiles.expand(paths)
        var printer = ResultPrinter(json: json, top: top)
        var failures = 0
        // Files are read and decoded one batch ahead, on another core, while the model runs.
        let batches = stride(from: 0, to: inputs.count, by: batch).map { Array(inputs[$0..<min($0 + batch, inputs.count)]) }
        let limit = settings.maxImageBytes
        classifier.classifyOverlapped(batches: batches.count, load: { index in
            var readable: [String] = [], unreadable: [(file: String, message: String)] = [], images: [Data] = []
            for file in batches[index] {
                do {
                    images.append(try Self.read(file, limit: limit))
                    readable.append(file)
                } catch {
                    unreadable.append((file, "cannot read: \(error.localizedDescription)"))
                }
            }
            return (item: BatchFiles(readable: readable, unreadable: unreadable), images: images)
        }, deliver: { files, results in
            for (file, message) in files.unreadable {
                failures += 1
                printer.failure(file: file, message: message)
            }
            for (file, result) in zip(files.readable, results) {
                switch result {
                case .success(let classification): printer.success(file: file, classification)
                case .failure(let error):
                    failures += 1
                    printer.failure(file: file, message: error.description)
                }
            }
        })
        if inputs.isEmpty {
            FileHandle.standardError.write(Data("classify: no image files found\n".utf8))
            throw ExitCode(1)
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// The model settings (the configuration's defaults and environment, then the flags) and the
    /// files they name. An invalid setting or a missing file cannot start the classifier: exit 2.
    static func modelSetup(environment: [String: String],
                           flags: (inout ModelSettings) -> Void) throws -> (ModelSettings, ModelFiles) {
        let loader = ConfigurationLoader()
        do {
            var configuration = try loader.load(environment: environment)
            flags(&configuration.model)
            return (configuration.model, try loader.modelFiles(for: configuration))
        } catch let error as ConfigurationError {
            throw cannotStart(error.description)
        } catch let error as ModelFileError {
            throw cannotStart(error.description)
        }
    }

    static func cannotStart(_ reason: String) -> ExitCode {
        FileHandle.standardError.write(Data("classify: \(reason)\n".utf8))
        return ExitCode(2)
    }

    /// Reads at most `limit + 1` bytes so that a huge file is refused without loading it whole.
    static func read(_ file: String, limit: Int) throws -> Data {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        return try handle.read(upToCount: limit + 1) ?? Data()
    }
}

/// One batch's input files: those read (in the order of their results) and those that could not be.
struct BatchFiles: Sendable {
    var readable: [String]
    var unreadable: [(file: String, message: String)]
}
