import ArgumentParser
import Foundation
import Vision

/// Per-photo decode and preprocess cost in thread CPU time (unaffected by other processes on a
/// shared machine), with Pillow's per-photo figure from the same measure for comparison.
struct Stages: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Per-photo decode/preprocess CPU time.")

    @Option(name: .long, parsing: .upToNextOption, help: "Photo directories (default: testdata/photos and shared/photos).")
    var photos: [String] = []

    @Option(name: .long, help: "Passes per photo.")
    var repeats: Int = 10

    static func cpuNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    func run() throws {
        let files = PhotoSet.find(directories: photos.isEmpty ? PhotoSet.defaultDirectories() : photos)
        let preprocessor = Preprocessor()
        var output = [Float](repeating: 0, count: preprocessor.configuration.valuesPerImage)
        var table = Table(title: "Per photo, thread CPU ms: decode (full / DCT-scaled) and resize+crop+normalise",
                          columns: ["photo", "size", "decode full", "decode scaled", "preprocess"])
        var totals = [0.0, 0.0, 0.0]
        for file in files {
            let data = try Data(contentsOf: file)
            var figures: [Double] = []
            var image = try ImageDecoder().decode(data)
            for decoder in [ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: nil)), ImageDecoder()] {
                let start = Self.cpuNanoseconds()
                for _ in 0..<repeats { image = try decoder.decode(data) }
                figures.append(Double(Self.cpuNanoseconds() - start) / 1e6 / Double(repeats))
            }
            let start = Self.cpuNanoseconds()
            for _ in 0..<repeats { output.withUnsafeMutableBufferPointer { preprocessor.preprocess(image, into: $0) } }
            figures.append(Double(Self.cpuNanoseconds() - start) / 1e6 / Double(repeats))
            let full = try ImageDecoder(options: DecodingOptions(jpegMinimumShorterSide: nil)).decode(data)
            table.add([file.lastPathComponent, "\(full.width)x\(full.height)"] + figures.map { String(format: "%.2f", $0) })
            for index in 0..<3 { totals[index] += figures[index] }
        }
        table.add(["mean", ""] + totals.map { String(format: "%.2f", $0 / Double(files.count)) })
        table.print()
    }
}
