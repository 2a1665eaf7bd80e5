import ArgumentParser
import Foundation
import Pipeline
import Vision

/// Per-photo cost of each stage in thread CPU time, ours and the Python reference's, with one
/// intra-op thread (ONNX Runtime then runs the model on the calling thread). CPU time is not
/// inflated by other processes competing for the cores, so these ratios hold on a busy machine.
///
/// Our decode is timed twice: whole, and only the part the centre crop reads (as `Classifier`
/// decodes). "floor" is the entropy-coded stage alone (`ImageDecoder.decompressOnly`: JPEG
/// Huffman decoding, PNG inflate), which any decoder giving the same pixels must do.
struct Stages: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Per-photo CPU time per stage, Swift vs Python (1 thread).")

    @Option(name: .long, parsing: .upToNextOption, help: "Photo directories (default: testdata/photos and shared/photos).")
    var photos: [String] = []

    @Option(name: .long, help: "Passes per photo.")
    var repeats: Int = 10

    @Option(name: .long, help: "Python interpreter with Pillow/numpy/onnxruntime (default: the project venv).")
    var python: String?

    static func cpuNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// The reference's own functions (decode, resize_and_crop, normalise, ReferenceClassifier),
    /// timed with time.thread_time per photo.
    static let pythonTimer = """
        import json, sys, time
        sys.path.insert(0, sys.argv[1])
        import numpy as np
        import classify_reference as r
        model, repeats, files = sys.argv[2], int(sys.argv[3]), sys.argv[4:]
        classifier = r.ReferenceClassifier(model=r.Path(model), threads=1)
        for path in files:
            tensor = r.preprocess(path)[None]
            classifier.logits(tensor)
            start = time.thread_time()
            for _ in range(repeats): image = r.decode(path)
            decode = time.thread_time() - start
            start = time.thread_time()
            for _ in range(repeats): tensor = r.preprocess_image(image)[None]
            prep = time.thread_time() - start
            start = time.thread_time()
            for _ in range(repeats): probabilities = r.softmax(classifier.logits(tensor))
            infer = time.thread_time() - start
            print(json.dumps({"decode": 1000 * decode / repeats, "prep": 1000 * prep / repeats, "infer": 1000 * infer / repeats}))
        """

    struct PythonFigures: Decodable {
        var decode: Double
        var prep: Double
        var infer: Double
    }

    func run() throws {
        let files = PhotoSet.find(directories: photos.isEmpty ? PhotoSet.defaultDirectories() : photos)
        guard !files.isEmpty else { throw ValidationError("no photos found; run scripts/setup") }
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let modelFiles = try BenchFiles.resolve()
        let pythonFigures = try runPython(root: root, model: modelFiles.model, files: files)
        let classifier = try Classifier(configuration: ClassifierConfiguration(files: modelFiles, session: SessionOptions(intraOpThreads: 1)))
        let preprocessor = classifier.preprocessor
        var output = [Float](repeating: 0, count: preprocessor.configuration.valuesPerImage)
        var table = Table(title: "Per photo, thread CPU ms, 1 intra-op thread: Swift (decode / resize+crop+normalise / infer) vs Python",
                          columns: ["photo", "size", "whole decode", "decode", "prep", "infer", "floor", "Swift total",
                                    "Py decode", "Py prep", "Py infer", "Py total", "Py/Swift", "(decode+prep)/infer", "floor/infer"])
        var sums = [Double](repeating: 0, count: 10)
        for (file, theirs) in zip(files, pythonFigures) {
            let data = try Data(contentsOf: file)
            let whole = try classifier.decoder.decode(data)
            var start = Self.cpuNanoseconds()
            for _ in 0..<repeats { _ = try classifier.decoder.decode(data) }
            let wholeDecode = Double(Self.cpuNanoseconds() - start) / 1e6 / Double(repeats)
            var image = whole
            start = Self.cpuNanoseconds()
            for _ in 0..<repeats { image = try classifier.decoder.decode(data, needing: preprocessor.sourceRegion) }
            let decode = Double(Self.cpuNanoseconds() - start) / 1e6 / Double(repeats)
            start = Self.cpuNanoseconds()
            for _ in 0..<repeats { try data.withUnsafeBytes { try classifier.decoder.decompressOnly($0) } }
            let floor = Double(Self.cpuNanoseconds() - start) / 1e6 / Double(repeats)
            start = Self.cpuNanoseconds()
            for _ in 0..<repeats { output.withUnsafeMutableBufferPointer { preprocessor.preprocess(image, into: $0) } }
            let prep = Double(Self.cpuNanoseconds() - start) / 1e6 / Double(repeats)
            let shape = preprocessor.configuration.shape(batch: 1)
            _ = try classifier.session.run(output, shape: shape)
            start = Self.cpuNanoseconds()
            for _ in 0..<repeats {
                let logits = try classifier.session.run(output, shape: shape)
                _ = logits.values.withUnsafeBufferPointer { Scores.top(Scores.softmax($0), k: 5) }
            }
            let infer = Double(Self.cpuNanoseconds() - start) / 1e6 / Double(repeats)
            let swiftTotal = decode + prep + infer, pythonTotal = theirs.decode + theirs.prep + theirs.infer
            let figures = [wholeDecode, decode, prep, infer, floor, swiftTotal, theirs.decode, theirs.prep, theirs.infer, pythonTotal]
            for index in figures.indices { sums[index] += figures[index] }
            table.add([file.lastPathComponent, "\(whole.width)x\(whole.height)"] + figures.map { String(format: "%.2f", $0) }
                      + [String(format: "%.2fx", pythonTotal / swiftTotal), Self.percent((decode + prep) / infer),
                         Self.percent(floor / infer)])
        }
        let means = sums.map { $0 / Double(files.count) }
        table.add(["mean", ""] + means.map { String(format: "%.2f", $0) }
                  + [String(format: "%.2fx", means[9] / means[5]), Self.percent((means[1] + means[2]) / means[3]),
                     Self.percent(means[4] / means[3])])
        table.print()
        print("(size: the decoded size, after any DCT downscaling; decode: only what the centre crop reads)")
    }

    static func percent(_ fraction: Double) -> String { String(format: "%.0f%%", 100 * fraction) }

    private func runPython(root: URL, model: String, files: [URL]) throws -> [PythonFigures] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python ?? root.appendingPathComponent(".venv/bin/python").path)
        process.arguments = ["-c", Self.pythonTimer, root.appendingPathComponent("Benchmarks/reference").path, model,
                             String(repeats)] + files.map(\.path)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("python timer exited \(process.terminationStatus)") }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(PythonFigures.self, from: Data($0.utf8))
        }
    }
}
