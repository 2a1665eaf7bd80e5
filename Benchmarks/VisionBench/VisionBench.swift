import ArgumentParser
import Foundation
import Pipeline
import Vision

/// Side-by-side benchmark of the image pipeline: our decode+preprocess+inference vs the Python
/// reference (Pillow + numpy + onnxruntime) vs raw inference on a ready tensor, on the same photos
/// and thread counts, in one run.
@main
struct VisionBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "VisionBench", abstract: "Vision pipeline benchmark and leak-check loop.",
        subcommands: [Compare.self, Stages.self, LeakLoop.self], defaultSubcommand: Compare.self)
}

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Side-by-side timing tables with ratios.")

    @Option(name: .long, parsing: .upToNextOption, help: "Photo directories (default: testdata/photos and ../shared/photos).")
    var photos: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "ONNX Runtime intra-op thread counts to compare.")
    var threads: [Int] = [1, 2]

    @Option(name: .long, parsing: .upToNextOption, help: "Batch sizes for the throughput table.")
    var batches: [Int] = [1, 4, 8]

    @Option(name: .long, help: "Timed passes over all photos per round.")
    var repeats: Int = 2

    @Option(name: .long, help: "Interleaved rounds per figure; the best round is reported.")
    var rounds: Int = 3

    @Option(name: .long, help: "Model (default: model.path, models/efficientnet-lite0.onnx from the current directory).")
    var model: String?

    @Option(name: .long, help: "Python interpreter with Pillow/numpy/onnxruntime (default: the project venv).")
    var python: String?

    func run() throws {
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let modelFiles = try BenchFiles.resolve(model: model)
        let modelPath = modelFiles.model
        let files = PhotoSet.find(directories: photos.isEmpty ? PhotoSet.defaultDirectories() : photos)
        guard !files.isEmpty else { throw ValidationError("no photos found; run scripts/setup") }
        let pythonPath = python ?? root.appendingPathComponent(".venv/bin/python").path
        let reference = PythonReference(python: pythonPath, script: root.appendingPathComponent("Benchmarks/reference/classify_reference.py").path,
                                        model: modelPath)
        print("VisionBench: \(files.count) photos, model \(modelPath), best of \(rounds) rounds of \(repeats) passes, \(ProcessInfo.processInfo.activeProcessorCount) CPUs")

        var endToEnd = Table(title: "End to end, batch 1, ms per image (lower is better)",
                             columns: ["threads", "Swift decode+prep", "Swift infer", "Swift in line", "Swift overlapped", "raw infer",
                                       "Python prep", "Python infer", "Python total", "Python/Swift in line", "Python/Swift overlapped",
                                       "in line/raw", "overlapped/raw"])
        var throughput = Table(title: "Throughput, images/s (Swift end to end vs raw inference on ready tensors)",
                               columns: ["threads", "batch", "Swift e2e img/s", "raw infer img/s", "e2e/raw"])
        // The machine is shared: each figure is the best of `rounds` interleaved rounds (Swift,
        // raw, Python one after another), so that load spikes hit all three alike.
        for threadCount in threads {
            let session = try InferenceSession(modelPath: modelPath, runtime: try OnnxRuntime(libraryPath: modelFiles.onnxRuntimeLibrary),
                                               options: SessionOptions(intraOpThreads: threadCount))
            let classifier = try Classifier(session: session, labels: Labels(contentsOf: modelFiles.labels),
                                            configuration: ClassifierConfiguration(files: modelFiles))
            _ = try Measure.endToEnd(classifier: classifier, files: files, batch: 1, repeats: 1)  // warm-up
            var swift = StageTimes(preprocess: .infinity, inference: .infinity), raw = Double.infinity, overlapped = Double.infinity
            var python = StageTimes(preprocess: .infinity, inference: .infinity)
            for _ in 0..<rounds {
                let swiftRound = try Measure.endToEnd(classifier: classifier, files: files, batch: 1, repeats: repeats, warmUp: false)
                if swiftRound.total < swift.total { swift = swiftRound }
                overlapped = min(overlapped, try Measure.overlapped(classifier: classifier, files: files, batch: 1, repeats: repeats))
                raw = min(raw, try Measure.rawInference(classifier: classifier, files: files, batch: 1, repeats: repeats, warmUp: false))
                let pythonRound = try reference.timing(files: files, threads: threadCount, batch: 1, repeats: repeats)
                if pythonRound.total < python.total { python = pythonRound }
            }
            endToEnd.add([String(threadCount), f(swift.preprocess), f(swift.inference), f(swift.total), f(overlapped), f(raw),
                          f(python.preprocess), f(python.inference), f(python.total),
                          String(format: "%.2fx", python.total / swift.total), String(format: "%.2fx", python.total / overlapped),
                          String(format: "%.3fx", swift.total / raw), String(format: "%.3fx", overlapped / raw)])
            for batch in batches {
                var e2e = Double.infinity, rawBatch = Double.infinity
                for _ in 0..<rounds {
                    e2e = min(e2e, try Measure.endToEnd(classifier: classifier, files: files, batch: batch, repeats: repeats, warmUp: false).total)
                    rawBatch = min(rawBatch, try Measure.rawInference(classifier: classifier, files: files, batch: batch, repeats: repeats, warmUp: false))
                }
                throughput.add([String(threadCount), String(batch), String(format: "%.1f", 1000 / e2e),
                                String(format: "%.1f", 1000 / rawBatch), String(format: "%.3fx", rawBatch / e2e)])
            }
        }
        // One session with 1 intra-op thread shared by two callers: decoding overlaps inference.
        if threads.contains(1) {
            let session = try InferenceSession(modelPath: modelPath, runtime: try OnnxRuntime(libraryPath: modelFiles.onnxRuntimeLibrary),
                                               options: SessionOptions(intraOpThreads: 1))
            let classifier = try Classifier(session: session, labels: Labels(contentsOf: modelFiles.labels),
                                            configuration: ClassifierConfiguration(files: modelFiles))
            var e2e = Double.infinity, raw = Double.infinity
            for _ in 0..<rounds {
                e2e = min(e2e, try ConcurrentMeasure.perImage(classifier: classifier, files: files, callers: 2, repeats: repeats, raw: false))
                raw = min(raw, try ConcurrentMeasure.perImage(classifier: classifier, files: files, callers: 2, repeats: repeats, raw: true))
            }
            throughput.add(["1 x 2 callers", "1", String(format: "%.1f", 1000 / e2e), String(format: "%.1f", 1000 / raw),
                            String(format: "%.3fx", raw / e2e)])
        }
        endToEnd.print()
        throughput.print()
        try Measure.decodeScaling(files: files, repeats: repeats).print()
        try reference.agreement(files: files, modelFiles: modelFiles).print()
        var memory = Table(title: "Peak resident memory", columns: ["process", "peak RSS MB"])
        memory.add(["Swift (this benchmark, all runs)", String(format: "%.1f", Measure.peakRSS())])
        memory.add(["Python reference (largest run)", String(format: "%.1f", reference.peakRSSMegabytes)])
        memory.print()
        print("In line: read, decode, preprocess, infer one image after another (the Python reference's way).")
        print("Overlapped: the next image is read, decoded and preprocessed on a second thread while the model runs (`classify`'s way); wall clock.")
        print("Goals: Python/Swift >= 1.5x end to end; Swift/raw <= 1.15x (decode+preprocess <= 15% of inference).")
    }

    func f(_ value: Double) -> String { String(format: "%.2f", value) }
}
