import ArgumentParser
import Foundation
import Vision

/// Repeats session runs and decodes (including every error path) so that a leak checker
/// (scripts/vision-leak-check runs this under valgrind) can compare a short and a long loop:
/// memory lost must not grow with the number of iterations.
struct LeakLoop: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "leak-loop", abstract: "Run N inferences and decodes, then exit.")

    @Option(name: .long, help: "ONNX model to run (any float32 model; dynamic dimensions are set to 1).")
    var model: String

    @Option(name: .long, help: "Session runs.")
    var runs: Int = 1000

    @Option(name: .long, parsing: .upToNextOption, help: "Image files to decode and preprocess each iteration (errors are expected for hostile ones).")
    var images: [String] = []

    @Option(name: .long, help: "Decode+preprocess iterations over the images.")
    var decodes: Int = 100

    func run() throws {
        let runtime = try OnnxRuntime(libraryPath: try BenchFiles.resolve(model: model).onnxRuntimeLibrary)
        do {
            let session = try InferenceSession(modelPath: model, runtime: runtime, options: SessionOptions(intraOpThreads: 1))
            let shape = session.input.shape.map { $0 > 0 ? $0 : 1 }
            let input = [Float](repeating: 0.5, count: Int(shape.reduce(1, *)))
            var checksum: Float = 0
            for _ in 0..<runs { checksum += try session.run(input, shape: shape).values.first ?? 0 }
            // Error paths of the runtime: a wrong shape, a missing model.
            _ = try? session.run([1], shape: [1])
            _ = try? InferenceSession(modelPath: model + ".missing", runtime: runtime)
            print("leak-loop: \(runs) runs, checksum \(checksum)")
        }
        let datas = try images.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let decoder = ImageDecoder()
        let preprocessor = Preprocessor()
        var decoded = 0, failed = 0
        var output = [Float](repeating: 0, count: preprocessor.configuration.valuesPerImage)
        for _ in 0..<decodes {
            for data in datas {
                do {
                    // Whole, cropped (as Classifier decodes) and the entropy-only floor: every C path.
                    let image = try decoder.decode(data)
                    output.withUnsafeMutableBufferPointer { preprocessor.preprocess(image, into: $0) }
                    let part = try decoder.decode(data, needing: preprocessor.sourceRegion)
                    output.withUnsafeMutableBufferPointer { preprocessor.preprocess(part, into: $0) }
                    // The floor refuses what the fast PNG decoder leaves to libpng: not a refusal here.
                    try? data.withUnsafeBytes { try decoder.decompressOnly($0) }
                    decoded += 1
                } catch {
                    failed += 1
                }
            }
        }
        print("leak-loop: \(decoded) decodes, \(failed) refused")
    }
}
