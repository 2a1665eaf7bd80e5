import ArgumentParser
import Foundation

/// Side-by-side HTTP benchmark: our server (HTTPTestServer, release) against Flask's development
/// server (the original design's stack) and nginx, all on loopback, driven by wrk. Prints tables
/// with ratios; measures, never passes or fails. Run through `scripts/bench-http`.
@main
struct HTTPBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmark our HTTP server against Flask and nginx with wrk.")

    @Option(help: "Our server binary (HTTPTestServer, release build).") var server: String
    @Option(help: "Python with Flask installed.") var python: String
    @Option(help: "The Flask reference app.") var flaskApp: String
    @Option(help: "wrk binary.") var wrk = "/usr/bin/wrk"
    @Option(help: "nginx binary.") var nginx = "/usr/sbin/nginx"
    @Option(help: "Seconds per wrk run.") var duration = 10
    @Option(help: "wrk connections.") var connections = 64
    @Option(help: "Idle connections held open in the idle test.") var idleConnections = 500
    @Option(help: "Concurrent connections in the 1 MB upload test.") var concurrentUploads = 300
    @Option(help: "A \"before\" build of HTTPTestServer, measured beside ours in the matrix.") var baselineServer: String?
    @Option(help: "HTTPFloorServer (release): our event loops and tasks with no HTTP work, measured in the matrix's dynamic cells.") var floorServer: String?
    @Option(help: "wrk runs per matrix cell (the median is reported).") var rounds = 1
    @Option(help: "The CPUs everything runs on (set by scripts/bench-http with taskset; printed only).") var cpus: String?
    @Flag(help: "Only the tail matrix (static/dynamic x 64/512 connections vs nginx).") var matrixOnly = false

    func run() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        emit("HTTP benchmark: wrk -t2 -c\(connections) -d\(duration)s on loopback, keep-alive; \(ProcessInfo.processInfo.activeProcessorCount) cores")
        emit("(wrk and the server share the machine's cores\(cpus.map { ", all pinned to CPUs \($0) with taskset" } ?? ""); every server is measured the same way)\n")

        let runner = WrkRunner(binary: wrk, duration: duration)
        try runMatrix(workspace: workspace, runner: runner)
        if matrixOnly { return }

        var servers: [BenchServer] = []
        servers.append(try BenchServer.ours(binary: server, root: workspace.staticRoot))
        servers.append(try BenchServer.flask(python: python, app: flaskApp, root: workspace.staticRoot))
        servers.append(try BenchServer.nginx(binary: nginx, workspace: workspace))
        defer { servers.forEach { $0.stop() } }
        for server in servers { try server.waitUntilServing(path: "/dynamic") }

        var results: [String: [String: WrkResult]] = [:]
        for (label, path) in [("static", "/static/small.html"), ("dynamic", "/dynamic")] {
            for server in servers {
                let result = try runner.run(url: server.url(path), connections: connections, sampling: server)
                results[label, default: [:]][server.name] = result
            }
        }
        Report.throughput(title: "Static file (\(workspace.smallFileSize) B)", results: results["static"]!, servers: servers)
        Report.throughput(title: "Dynamic response (200 B)", results: results["dynamic"]!, servers: servers)

        // Uploads: each request is one multipart body of 100 files x 100 KB. nginx does not parse
        // multipart, so only the two application servers compare.
        let script = try workspace.uploadScript(files: 100, fileSize: 100_000)
        var uploads: [String: WrkResult] = [:]
        for server in servers where server.name != "nginx" {
            uploads[server.name] = try runner.run(url: server.url("/upload"), connections: 4, script: script.path, sampling: server)
        }
        Report.uploads(title: "Multipart upload: 100 files x 100 KB per request", connections: 4,
                       results: uploads, bodyBytes: script.bodyBytes, servers: servers.filter { $0.name != "nginx" })

        // The web tier's load: many photo uploads at once; peak RSS is what matters here.
        let single = try workspace.uploadScript(files: 1, fileSize: 1_000_000, name: "upload-1mb")
        var concurrent: [String: WrkResult] = [:]
        for server in servers where server.name != "nginx" {
            concurrent[server.name] = try runner.run(url: server.url("/upload"), connections: concurrentUploads,
                                                     script: single.path, sampling: server)
        }
        Report.uploads(title: "Multipart upload: one 1 MB file per request", connections: concurrentUploads,
                       results: concurrent, bodyBytes: single.bodyBytes, servers: servers.filter { $0.name != "nginx" })

        // Many idle or slow connections must not stop others being served.
        var idleRows: [Report.IdleRow] = []
        for server in servers {
            let baseline = results["dynamic"]![server.name]!
            let idle = try IdleConnections(port: server.port, count: idleConnections)
            let fresh = FreshConnectionProbe.medianLatency(port: server.port, path: "/dynamic", samples: 20)
            let loaded = try runner.run(url: server.url("/dynamic"), connections: connections, sampling: server)
            let stillOpen = idle.countStillOpen()
            idle.close()
            idleRows.append(.init(server: server.name, baseline: baseline, withIdle: loaded, freshLatency: fresh, idleStillOpen: stillOpen))
        }
        Report.idle(rows: idleRows, idleCount: idleConnections)
        Report.goals(static: results["static"]!, dynamic: results["dynamic"]!)
    }

    /// The tail matrix: ours (and the "before" build) against nginx.
    func runMatrix(workspace: Workspace, runner: WrkRunner) throws {
        var servers: [BenchServer] = [try BenchServer.ours(binary: server, root: workspace.staticRoot)]
        if let baselineServer {
            servers.append(try BenchServer.ours(binary: baselineServer, root: workspace.staticRoot, name: "before"))
        }
        if let floorServer {
            servers.append(try BenchServer.floor(binary: floorServer))
        }
        servers.append(try BenchServer.nginx(binary: nginx, workspace: workspace))
        defer { servers.forEach { $0.stop() } }
        for server in servers { try server.waitUntilServing(path: "/dynamic") }
        emit("# Tail matrix: wrk -t2 -d\(duration)s, median of \(rounds) round(s) per cell")
        let matrix = Matrix(runner: runner, rounds: rounds, percentileScript: try Matrix.percentileScript(in: workspace))
        try matrix.run(servers: servers)
    }
}
