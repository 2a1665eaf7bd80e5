import Foundation

/// Something whose memory can be sampled while wrk runs.
protocol RSSSampler: AnyObject {
    func residentBytes() -> Int
    /// CPU time used so far (user + system, with children that serve requests), in seconds.
    func cpuSeconds() -> Double
}

/// What one wrk run measured.
struct WrkResult {
    var requestsPerSecond: Double
    var latencyP50: Double // milliseconds
    var latencyP99: Double
    var latencyP999 = 0.0 // only with the percentile script
    var errors: Int // non-2xx/3xx responses plus socket errors
    var peakResidentBytes: Int
    /// The server's CPU time per request, in microseconds (all its threads and workers).
    var cpuMicrosecondsPerRequest = 0.0
}

/// Runs wrk and parses its `--latency` report.
struct WrkRunner {
    let binary: String
    let duration: Int

    func run(url: String, connections: Int, script: String? = nil, sampling server: RSSSampler) throws -> WrkResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var arguments = ["-t2", "-c\(connections)", "-d\(duration)s", "--latency", "--timeout", "10s"]
        if let script { arguments += ["-s", script] }
        process.arguments = arguments + [url]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let cpuBefore = server.cpuSeconds()
        try process.run()
        var peak = 0
        // Sample memory while wrk runs; read the output afterwards (it is small).
        while process.isRunning {
            peak = max(peak, server.residentBytes())
            Thread.sleep(forTimeInterval: 0.1)
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard var result = WrkRunner.parse(text) else { throw BenchError.wrkFailed(text) }
        result.peakResidentBytes = max(peak, server.residentBytes())
        let requests = result.requestsPerSecond * Double(duration)
        if requests > 0 { result.cpuMicrosecondsPerRequest = (server.cpuSeconds() - cpuBefore) * 1e6 / requests }
        return result
    }

    static func parse(_ text: String) -> WrkResult? {
        var result = WrkResult(requestsPerSecond: 0, latencyP50: 0, latencyP99: 0, errors: 0, peakResidentBytes: 0)
        var sawRate = false
        for rawLine in text.split(separator: "\n") {
            let fields = rawLine.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first == "Requests/sec:", fields.count > 1, let rate = Double(fields[1]) {
                result.requestsPerSecond = rate
                sawRate = true
            } else if first == "50%", fields.count > 1 {
                result.latencyP50 = milliseconds(fields[1])
            } else if first == "P99.9", fields.count > 1 {
                result.latencyP999 = milliseconds(fields[1])
            } else if first == "99%", fields.count > 1 {
                result.latencyP99 = milliseconds(fields[1])
            } else if rawLine.contains("Non-2xx or 3xx responses:"), let count = fields.last.flatMap({ Int($0) }) {
                result.errors += count
            } else if first == "Socket", rawLine.contains("errors:") {
                // "Socket errors: connect 0, read 0, write 0, timeout 0"
                result.errors += rawLine.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { Int($0) }.reduce(0, +)
            }
        }
        return sawRate ? result : nil
    }

    /// "1.23ms", "456.00us", "1.02s" → milliseconds.
    static func milliseconds(_ text: Substring) -> Double {
        if text.hasSuffix("ms"), let value = Double(text.dropLast(2)) { return value }
        if text.hasSuffix("us"), let value = Double(text.dropLast(2)) { return value / 1000 }
        if text.hasSuffix("s"), let value = Double(text.dropLast(1)) { return value * 1000 }
        return Double(text) ?? 0
    }
}
