import ArgumentParser
import AWS
import Foundation
import TestSupport

/// `scripts/bench-aws`: our AWS client beside botocore/boto3, one run, ratios in a table.
@main
struct AWSBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "awsbench",
        abstract: "SigV4 signatures/s and moto round trips, ours versus botocore/boto3.")

    @Option(help: "Seconds each side spends signing.") var signingSeconds: Double = 3
    @Option(help: "Distinct requests in the signing workload.") var signingCases: Int = 400
    @Option(help: "Measured round trips per moto benchmark.") var iterations: Int = 60
    @Option(help: "Unmeasured warm-up round trips.") var warmup: Int = 5
    @Option(help: "S3 object size in bytes.") var objectSize: Int = 102_400
    @Flag(help: "Only the signing benchmark (no moto).") var signingOnly = false

    func run() async throws {
        var table = ResultTable()
        try measureSigning(into: &table)
        if !signingOnly {
            try await measureMoto(into: &table)
        }
        print(table.render())
    }

    func measureSigning(into table: inout ResultTable) throws {
        let cases = SigningCase.workload(count: signingCases)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("awsbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("cases.json")
        try JSONSerialization.data(withJSONObject: ["cases": cases.map(\.json)]).write(to: file)
        FileHandle.standardError.write(Data("signing \(cases.count) requests for \(signingSeconds) s each side...\n".utf8))
        let ours = SigningBenchmark.run(cases, seconds: signingSeconds)
        struct Reference: Decodable { var signatures: Int; var seconds: Double }
        let reference = try ReferenceProcess.run(["sign", "--cases", file.path, "--seconds", String(signingSeconds)],
                                                 as: Reference.self)
        let oursRate = Double(ours.signatures) / ours.seconds
        let theirRate = Double(reference.signatures) / reference.seconds
        table.add(ResultTable.Row(benchmark: "SigV4 signatures per CPU-second (higher is better)",
                                  ours: ResultTable.count(oursRate), reference: ResultTable.count(theirRate),
                                  ratio: oursRate / theirRate, goal: ">= 20x"))
    }

    func measureMoto(into table: inout ResultTable) async throws {
        FileHandle.standardError.write(Data("starting moto...\n".utf8))
        let moto = try await MotoServer.startPrivate()
        defer { moto.stop() }
        FileHandle.standardError.write(Data("SQS round trips on \(moto.endpoint)...\n".utf8))
        let sqs = try await MotoRoundTrips.sqs(moto: moto, iterations: iterations, warmup: warmup)
        add(sqs, "SQS send+receive+delete", to: &table)
        FileHandle.standardError.write(Data("S3 put/get \(objectSize) B...\n".utf8))
        let s3 = try await MotoRoundTrips.s3(moto: moto, size: objectSize, iterations: iterations, warmup: warmup)
        add(s3.put, "S3 PutObject \(objectSize / 1024) KB", to: &table)
        add(s3.get, "S3 GetObject \(objectSize / 1024) KB", to: &table)
    }

    func add(_ latencies: MotoRoundTrips.Latencies, _ name: String, to table: inout ResultTable) {
        for (label, fraction) in [("p50", 0.5), ("p90", 0.9)] {
            let ours = latencies.ours.percentile(fraction), theirs = latencies.boto3.percentile(fraction)
            table.add(ResultTable.Row(benchmark: "\(name) \(label) (lower is better)",
                                      ours: ResultTable.milliseconds(ours), reference: ResultTable.milliseconds(theirs),
                                      ratio: ours / theirs, goal: "<= 1.0"))
        }
    }
}

/// A fixed-width table: benchmark, ours, botocore/boto3, ratio, goal.
struct ResultTable {
    struct Row {
        var benchmark: String
        var ours: String
        var reference: String
        var ratio: Double
        var goal: String
    }

    var rows: [Row] = []
    mutating func add(_ row: Row) { rows.append(row) }

    static func count(_ value: Double) -> String { String(format: "%.0f", value) }
    static func milliseconds(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }

    func render() -> String {
        let header = ["benchmark", "ours", "botocore/boto3", "ratio (ours/theirs)", "goal"]
        let cells = rows.map { [$0.benchmark, $0.ours, $0.reference, String(format: "%.2f", $0.ratio), $0.goal] }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        func line(_ values: [String]) -> String {
            "| " + values.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: " | ") + " |"
        }
        let rule = "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"
        return ([line(header), rule] + cells.map(line)).joined(separator: "\n")
    }
}
