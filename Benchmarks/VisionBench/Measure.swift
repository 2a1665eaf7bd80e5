import Foundation
import Vision

/// Milliseconds per image, split by stage.
struct StageTimes {
    var preprocess: Double
    var inference: Double
    var total: Double { preprocess + inference }
}

enum Measure {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Reads, decodes, preprocesses and classifies every file, `batch` per model run, like the app
    /// tier does; the first pass warms up and is not counted.
    static func endToEnd(classifier: Classifier, files: [URL], batch: Int, repeats: Int, warmUp: Bool = true) throws -> StageTimes {
        var preprocess = 0.0, inference = 0.0, images = 0
        for pass in (warmUp ? 0 : 1)...repeats {
            for start in stride(from: 0, to: files.count, by: batch) {
                let chunk = files[start..<min(start + batch, files.count)]
                let readStart = now()
                let bytes = try chunk.map { try Data(contentsOf: $0) }
                let readMilliseconds = Double(now() - readStart) / 1e6
                let results = classifier.classify(batch: bytes)
                guard pass > 0 else { continue }
                preprocess += readMilliseconds
                for result in results {
                    let classification = try result.get()
                    preprocess += classification.preprocessMilliseconds
                    inference += classification.inferenceMilliseconds
                }
                images += chunk.count
            }
        }
        return StageTimes(preprocess: preprocess / Double(images), inference: inference / Double(images))
    }

    /// Wall-clock ms per image through `classifyOverlapped`: reading, decoding and preprocessing
    /// the next batch on a second thread while the model runs; one warm-up pass first.
    static func overlapped(classifier: Classifier, files: [URL], batch: Int, repeats: Int) throws -> Double {
        let batches = stride(from: 0, to: files.count, by: batch).map { Array(files[$0..<min($0 + batch, files.count)]) }
        var elapsed = 0.0, failures = 0
        for pass in 0...repeats {
            let begin = now()
            classifier.classifyOverlapped(batches: batches.count, load: { index in
                (item: index, images: batches[index].map { (try? Data(contentsOf: $0)) ?? Data() })
            }, deliver: { _, results in
                failures += results.filter { if case .failure = $0 { true } else { false } }.count
            })
            if pass > 0 { elapsed += Double(now() - begin) / 1e6 }
        }
        guard failures == 0 else { throw BenchError("\(failures) overlapped classifications failed") }
        return elapsed / Double(repeats * files.count)
    }

    /// Inference alone on tensors prepared beforehand: the floor for end to end.
    static func rawInference(classifier: Classifier, files: [URL], batch: Int, repeats: Int, warmUp: Bool = true) throws -> Double {
        let perImage = classifier.preprocessor.configuration.valuesPerImage
        var tensor = [Float](repeating: 0, count: perImage * files.count)
        try tensor.withUnsafeMutableBufferPointer { buffer in
            for (index, file) in files.enumerated() {
                let image = try classifier.decoder.decode(try Data(contentsOf: file))
                classifier.preprocessor.preprocess(image, into: UnsafeMutableBufferPointer(rebasing: buffer[(index * perImage)..<((index + 1) * perImage)]))
            }
        }
        var total = 0.0, images = 0
        try tensor.withUnsafeBufferPointer { buffer in
            for pass in (warmUp ? 0 : 1)...repeats {
                for start in stride(from: 0, to: files.count, by: batch) {
                    let count = min(batch, files.count - start)
                    let slice = UnsafeBufferPointer(rebasing: buffer[(start * perImage)..<((start + count) * perImage)])
                    let begin = now()
                    _ = try classifier.session.run(slice, shape: classifier.preprocessor.configuration.shape(batch: count))
                    if pass > 0 {
                        total += Double(now() - begin) / 1e6
                        images += count
                    }
                }
            }
        }
        return total / Double(images)
    }

    /// Decode + preprocess only, with and without DCT-domain JPEG downscaling.
    static func decodeScaling(files: [URL], repeats: Int) throws -> Table {
        var table = Table(title: "Decode + preprocess only, ms per image (JPEG DCT downscaling on vs off)",
                          columns: ["photos", "full decode", "DCT-scaled", "full/scaled", "of which resize+crop+normalise"])
        let preprocessor = Preprocessor()
        let groups: [(String, [URL])] = [("all", files), ("JPEG only", files.filter { $0.pathExtension == "jpg" }),
                                         ("PNG only", files.filter { $0.pathExtension == "png" })]
        for (name, group) in groups where !group.isEmpty {
            let datas = try group.map { try Data(contentsOf: $0) }
            var output = [Float](repeating: 0, count: preprocessor.configuration.valuesPerImage)
            func time(_ decoder: ImageDecoder) throws -> Double {
                var total = 0.0
                for pass in 0...repeats {
                    let begin = now()
                    for data in datas {
                        // Only what the crop reads, as Classifier decodes.
                        let image = try decoder.decode(data, needing: preprocessor.sourceRegion)
                        output.withUnsafeMutableBufferPointer { preprocessor.preprocess(image, into: $0) }
                    }
                    if pass > 0 { total += Double(now() - begin) / 1e6 }
                }
                return total / Double(repeats * datas.count)
            }
            let full = try time(ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: nil)))
            let scaled = try time(ImageDecoder())
            // The resize+crop+normalise share, on images decoded beforehand.
            let images = try datas.map { try ImageDecoder().decode($0) }
            var preprocessTotal = 0.0
            for pass in 0...repeats {
                let begin = now()
                for image in images { output.withUnsafeMutableBufferPointer { preprocessor.preprocess(image, into: $0) } }
                if pass > 0 { preprocessTotal += Double(now() - begin) / 1e6 }
            }
            let preprocessOnly = preprocessTotal / Double(repeats * images.count)
            table.add(["\(name) (\(group.count))", String(format: "%.2f", full), String(format: "%.2f", scaled),
                       String(format: "%.2fx", full / scaled), String(format: "%.2f", preprocessOnly)])
        }
        return table
    }

    /// Peak resident set size of this process in MB (VmHWM of /proc/self/status).
    static func peakRSS() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return kilobytes / 1024
    }
}

/// Several callers sharing one classifier (as app-tier workers do): while one caller decodes,
/// another runs the model, so decoding overlaps inference on a multi-core machine.
enum ConcurrentMeasure {
    /// Wall-clock ms per image with `callers` threads each classifying its share of the photos,
    /// end to end (`raw` false) or inference only on ready tensors (`raw` true).
    static func perImage(classifier: Classifier, files: [URL], callers: Int, repeats: Int, raw: Bool) throws -> Double {
        let datas = try files.map { try Data(contentsOf: $0) }
        let tensors: [[Float]] = try datas.map { data in
            let image = try classifier.decoder.decode(data)
            return classifier.preprocessor.tensor(for: image)
        }
        let shape = classifier.preprocessor.configuration.shape(batch: 1)
        let failures = FailureCount()
        let work: @Sendable (Int) -> Void = { caller in
            for _ in 0..<repeats {
                for index in stride(from: caller, to: datas.count, by: callers) {
                    if raw {
                        if (try? classifier.session.run(tensors[index], shape: shape)) == nil { failures.add() }
                    } else {
                        if case .failure = classifier.classify(batch: [datas[index]])[0] { failures.add() }
                    }
                }
            }
        }
        DispatchQueue.concurrentPerform(iterations: callers, execute: work)  // warm-up
        let start = Measure.now()
        DispatchQueue.concurrentPerform(iterations: callers, execute: work)
        let elapsed = Double(Measure.now() - start) / 1e6
        guard failures.value == 0 else { throw BenchError("\(failures.value) classifications failed") }
        return elapsed / Double(repeats * datas.count)
    }
}

/// A lock-protected counter shared by benchmark threads.
final class FailureCount: @unchecked Sendable {  // every access goes through `lock`
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
