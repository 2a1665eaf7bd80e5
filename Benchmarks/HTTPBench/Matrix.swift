import Foundation

/// The tail benchmark: static 1 KiB and dynamic 200 B at 64 and 512 keep-alive connections,
/// ours (and the "before" build and the floor server, when given) against nginx, each cell the
/// median of `rounds` wrk runs with p99.9 from wrk's full histogram.
struct Matrix {
    struct Cell {
        let label: String
        let path: String
        let connections: Int
    }

    static let cells = [
        Cell(label: "static 1 KiB", path: "/static/small.html", connections: 64),
        Cell(label: "dynamic 200 B", path: "/dynamic", connections: 64),
        Cell(label: "static 1 KiB", path: "/static/small.html", connections: 512),
        Cell(label: "dynamic 200 B", path: "/dynamic", connections: 512),
    ]

    let runner: WrkRunner
    let rounds: Int
    let percentileScript: String

    /// Runs every cell for every server (interleaved, round by round, so drift in the machine's
    /// load spreads over all servers alike) and prints one table per cell.
    func run(servers: [BenchServer]) throws {
        for server in servers {
            emit("response to GET /dynamic from \(server.name): \(FreshConnectionProbe.responseBytes(port: server.port, path: "/dynamic") ?? 0) bytes (head + body)")
        }
        emit("")
        var goals: [String] = []
        for cell in Matrix.cells {
            var samples: [String: [WrkResult]] = [:]
            for _ in 0..<rounds {
                for server in servers where cell.path == "/dynamic" || !server.servesOnlyDynamic {
                    let result = try runner.run(url: server.url(cell.path), connections: cell.connections,
                                                script: percentileScript, sampling: server)
                    samples[server.name, default: []].append(result)
                }
            }
            let medians = samples.mapValues(WrkResult.median)
            Report.matrix(title: "\(cell.label), \(cell.connections) connections", results: medians, servers: servers)
            if let ours = medians["ours"], let nginx = medians["nginx"] {
                let throughput = ours.requestsPerSecond / nginx.requestsPerSecond
                let tail = ours.latencyP99 / nginx.latencyP99
                if cell.connections == 64 {
                    goals.append("\(cell.label) @64: req/s \(Report.format(100 * throughput))% of nginx (goal >= 90%) \(throughput >= 0.9 ? "met" : "MISSED"); "
                        + "p99 \(Report.format(tail, 2))x nginx (goal <= 2x) \(tail <= 2 ? "met" : "MISSED")")
                } else {
                    goals.append("\(cell.label) @\(cell.connections): errors \(ours.errors) (goal 0) \(ours.errors == 0 ? "met" : "MISSED"); "
                        + "p99.9 \(Report.format(ours.latencyP999, 2)) ms (nginx \(Report.format(nginx.latencyP999, 2)) ms)")
                }
            }
        }
        emit("## Goals")
        goals.forEach { emit($0) }
        emit("")
    }

    /// A wrk script that prints the 99.9th percentile (wrk's --latency stops at 99%).
    static func percentileScript(in workspace: Workspace) throws -> String {
        let script = """
        done = function(summary, latency, requests)
            io.write(string.format("P99.9 %dus\\n", latency:percentile(99.9)))
        end

        """
        let path = workspace.directory + "/percentiles.lua"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

extension WrkResult {
    /// Each figure's median over rounds (errors: the worst round).
    static func median(_ results: [WrkResult]) -> WrkResult {
        func mid(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        return WrkResult(requestsPerSecond: mid(results.map(\.requestsPerSecond)), latencyP50: mid(results.map(\.latencyP50)),
                         latencyP99: mid(results.map(\.latencyP99)), latencyP999: mid(results.map(\.latencyP999)),
                         errors: results.map(\.errors).max() ?? 0,
                         peakResidentBytes: results.map(\.peakResidentBytes).max() ?? 0,
                         cpuMicrosecondsPerRequest: mid(results.map(\.cpuMicrosecondsPerRequest)))
    }
}
