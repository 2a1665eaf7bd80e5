import Foundation
import Vision

/// Runs Benchmarks/reference/classify_reference.py from the venv.
struct PythonReference {
    let python: String
    let script: String
    let model: String

    func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--model", model] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("reference pipeline exited \(process.terminationStatus)")
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
    func agreement(files: [URL], modelPath: String) throws -> Table {
        struct Answer: Decodable {
            struct Entry: Decodable { var label: String; var score: Double }
            var label: String
            var top5: [Entry]
        }
        let answers = try String(decoding: run(files.map(\.path)), as: UTF8.self).split(separator: "\n")
            .map { try JSONDecoder().decode(Answer.self, from: Data($0.utf8)) }
        var table = Table(title: "Agreement with the Python reference on the same photos",
                          columns: ["JPEG decode", "top-1 same", "top-5 set same", "max |dp| in top-5"])
        for (name, minimum) in [("full size", nil), ("DCT-scaled (default)", 256)] as [(String, Int?)] {
            let classifier = try Classifier(configuration: ClassifierConfiguration(
                modelPath: modelPath, decoding: DecodingOptions(jpegMinimumShorterSide: minimum)))
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
