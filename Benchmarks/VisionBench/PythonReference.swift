import Foundation
import Pipeline
import Vision

/// Runs Benchmarks/reference/classify_reference.py from the venv.
final class PythonReference {
    let python: String
    let script: String
    let model: String
    /// The largest peak RSS (MB) seen in any reference run so far.
    private(set) var peakRSSMegabytes = 0.0

    init(python: String, script: String, model: String) {
        self.python = python
        self.script = script
        self.model = model
    }

    /// Runs the script through a small wrapper that reports the interpreter's own peak RSS on
    /// stderr when it exits. VmHWM, not getrusage: Linux carries ru_maxrss across fork+exec, so
    /// a child of this (larger) process would report our peak instead of its own.
    private static let wrapper = """
        import runpy, sys
        sys.argv = sys.argv[1:]
        try:
            runpy.run_path(sys.argv[0], run_name="__main__")
        finally:
            with open("/proc/self/status") as status:
                peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
            print("peak_rss_kb", peak, file=sys.stderr)
        """

    func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", Self.wrapper, script, "--model", model] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("reference pipeline exited \(process.terminationStatus): \(errorText.suffix(1000))")
        }
        for line in errorText.split(separator: "\n") where line.hasPrefix("peak_rss_kb ") {
            peakRSSMegabytes = max(peakRSSMegabytes, (Double(line.dropFirst(12)) ?? 0) / 1024)
        }
        return data
    }

    /// The reference's own per-stage timing (`--timing`): it warms up, then times `repeats` passes.
    func timing(files: [URL], threads: Int, batch: Int, repeats: Int) throws -> StageTimes {
        struct Report: Decodable {
            struct Timing: Decodable {
                var preprocess_ms_per_image: Double
                var inference_ms_per_image: Double
            }
            var timing: Timing
        }
        let data = try run(["--timing", "--threads", String(threads), "--batch", String(batch), "--repeat", String(repeats)]
                           + files.map(\.path))
        let report = try JSONDecoder().decode(Report.self, from: data)
        return StageTimes(preprocess: report.timing.preprocess_ms_per_image, inference: report.timing.inference_ms_per_image)
    }

    /// How often our answers agree with the reference, with DCT downscaling off and on.
    func agreement(files: [URL], modelFiles: ModelFiles) throws -> Table {
        struct Answer: Decodable {
            struct Entry: Decodable { var label: String; var score: Double }
            var label: String
            var top5: [Entry]
        }
        let answers = try String(decoding: run(files.map(\.path)), as: UTF8.self).split(separator: "\n")
            .map { try JSONDecoder().decode(Answer.self, from: Data($0.utf8)) }
        var table = Table(title: "Agreement with the Python reference on the same photos",
                          columns: ["JPEG decode", "top-1 same", "top-5 set same", "max |dp| in top-5"])
        for (name, minimum) in [("full size", nil), ("DCT-scaled, shorter side >= 512 (default)", 512),
                                ("DCT-scaled, shorter side >= 256 (aggressive)", 256)] as [(String, Int?)] {
            let classifier = try Classifier(configuration: ClassifierConfiguration(
                files: modelFiles, decoding: DecodingOptions(jpegMinimumShorterSide: minimum)))
            var sameTop1 = 0, sameTop5 = 0, maximum = 0.0
            for (file, answer) in zip(files, answers) {
                let ours = try classifier.classify(try Data(contentsOf: file))
                if ours.label == answer.label { sameTop1 += 1 }
                if Set(ours.predictions.prefix(5).map(\.label)) == Set(answer.top5.map(\.label)) { sameTop5 += 1 }
                let theirs = Dictionary(answer.top5.map { ($0.label, $0.score) }, uniquingKeysWith: max)
                for prediction in ours.predictions.prefix(5) {
                    if let score = theirs[prediction.label] { maximum = max(maximum, abs(score - prediction.score)) }
                }
            }
            table.add([name, "\(sameTop1)/\(files.count)", "\(sameTop5)/\(files.count)", String(format: "%.4f", maximum)])
        }
        return table
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
