import Foundation

/// Prints the benchmark tables.
enum Report {
    static func format(_ value: Double, _ decimals: Int = 0) -> String { String(format: "%.\(decimals)f", value) }
    static func megabytes(_ bytes: Int) -> String { format(Double(bytes) / 1_048_576, 1) + " MB" }
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
    static func row(_ cells: [String], _ widths: [Int]) -> String {
        zip(cells, widths).map { pad($0, $1) }.joined(separator: " ")
    }

    static func throughput(title: String, results: [String: WrkResult], servers: [BenchServer]) {
        emit("## \(title)")
        let widths = [8, 12, 10, 10, 11, 9, 10, 8]
        emit(row(["server", "req/s", "p50 ms", "p99 ms", "peak RSS", "vs flask", "vs nginx", "errors"], widths))
        let flask = results["flask"]?.requestsPerSecond ?? 0
        let nginx = results["nginx"]?.requestsPerSecond ?? 0
        for server in servers {
            guard let result = results[server.name] else { continue }
            emit(row([server.name, format(result.requestsPerSecond), format(result.latencyP50, 2), format(result.latencyP99, 2),
                       megabytes(result.peakResidentBytes),
                       flask > 0 ? format(result.requestsPerSecond / flask, 1) + "x" : "-",
                       nginx > 0 ? format(100 * result.requestsPerSecond / nginx) + "%" : "-",
                       "\(result.errors)"], widths))
        }
        emit("")
    }

    static func matrix(title: String, results: [String: WrkResult], servers: [BenchServer]) {
        emit("## \(title)")
        let widths = [8, 10, 9, 9, 9, 8, 12, 12, 12]
        emit(row(["server", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "errors", "req/s/nginx", "p99/nginx", "CPU µs/req"], widths))
        let nginx = results["nginx"]
        for server in servers {
            guard let result = results[server.name] else { continue }
            emit(row([server.name, format(result.requestsPerSecond), format(result.latencyP50, 2), format(result.latencyP99, 2),
                       format(result.latencyP999, 2), "\(result.errors)",
                       nginx.map { format(100 * result.requestsPerSecond / $0.requestsPerSecond) + "%" } ?? "-",
                       nginx.map { format(result.latencyP99 / $0.latencyP99, 2) + "x" } ?? "-",
                       format(result.cpuMicrosecondsPerRequest, 1)], widths))
        }
        emit("")
    }

    static func uploads(title: String, connections: Int, results: [String: WrkResult], bodyBytes: Int, servers: [BenchServer]) {
        emit("## \(title) (\(megabytes(bodyBytes)) per request), \(connections) connections")
        let widths = [8, 12, 10, 10, 11, 9, 8]
        emit(row(["server", "uploads/s", "MB/s", "p99 ms", "peak RSS", "vs flask", "errors"], widths))
        let flask = results["flask"]?.requestsPerSecond ?? 0
        for server in servers {
            guard let result = results[server.name] else { continue }
            emit(row([server.name, format(result.requestsPerSecond, 1),
                       format(result.requestsPerSecond * Double(bodyBytes) / 1_048_576, 1), format(result.latencyP99, 1),
                       megabytes(result.peakResidentBytes),
                       flask > 0 ? format(result.requestsPerSecond / flask, 1) + "x" : "-", "\(result.errors)"], widths))
        }
        emit("")
    }

    struct IdleRow {
        let server: String
        let baseline: WrkResult
        let withIdle: WrkResult
        let freshLatency: Double?
        let idleStillOpen: Int
    }

    static func idle(rows: [IdleRow], idleCount: Int) {
        emit("## \(idleCount) idle/slow connections held open (half silent, half a partial head), then wrk on /dynamic")
        let widths = [8, 13, 13, 8, 10, 15, 11, 11]
        emit(row(["server", "req/s before", "req/s during", "ratio", "p99 ms", "new client ms", "idle open", "peak RSS"], widths))
        for row in rows {
            emit(Report.row([row.server, format(row.baseline.requestsPerSecond), format(row.withIdle.requestsPerSecond),
                              format(row.withIdle.requestsPerSecond / max(row.baseline.requestsPerSecond, 1), 2),
                              format(row.withIdle.latencyP99, 2), row.freshLatency.map { format($0, 2) } ?? "failed",
                              "\(row.idleStillOpen)", megabytes(row.withIdle.peakResidentBytes)], widths))
        }
        emit("")
    }

    static func goals(static staticResults: [String: WrkResult], dynamic: [String: WrkResult]) {
        guard let ours = staticResults["ours"], let flask = staticResults["flask"], let nginx = staticResults["nginx"] else { return }
        let peak = max(ours.peakResidentBytes, dynamic["ours"]?.peakResidentBytes ?? 0)
        emit("## Goals")
        emit("static req/s vs Flask  >= 15x : \(format(ours.requestsPerSecond / flask.requestsPerSecond, 1))x")
        emit("static req/s vs nginx  >= 40% : \(format(100 * ours.requestsPerSecond / nginx.requestsPerSecond))%")
        emit("our peak RSS under load <= 30 MB : \(megabytes(peak))")
    }
}

/// Writes a line to stdout unbuffered, so a table shows up even if a later step fails.
func emit(_ line: String = "") {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
