import HTTPServer
import Logging

/// The worker's optional metrics port (`worker.metricsPort`): `/metrics` in Prometheus text
/// format and `/healthz`, served by our own HTTP server on loopback.
public struct WorkerMetricsServer: Sendable {
    let server: Server

    /// Starts serving `stats` on 127.0.0.1:`port` (0 picks a free port); returns the bound port.
    public static func start(port: Int, stats: WorkerStats, workerName: String, logger: Logger)
        throws -> (WorkerMetricsServer, UInt16) {
        var router = HTTPRouter()
        router.add(.get, "/metrics") { _ in
            let text = Self.prometheusText(await stats.current(), workerName: workerName)
            return HTTPResponse(contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(text.utf8))
        }
        router.add(.get, "/healthz") { _ in .text("ok\n") }
        let configuration = HTTPServerConfiguration(listenAddresses: [.loopback(port: UInt16(clamping: port))],
                                                    maxConnections: 64)
        let server = Server(configuration: configuration, handler: router, logger: logger)
        let addresses = try server.start()
        return (WorkerMetricsServer(server: server), addresses.first?.port ?? 0)
    }

    public func stop() async { await server.stop() }

    static func prometheusText(_ snapshot: WorkerStats.Snapshot, workerName: String) -> String {
        let label = "worker=\"\(workerName.replacingOccurrences(of: "\"", with: ""))\""
        func counter(_ name: String, _ help: String, _ value: Int) -> String {
            "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name){\(label)} \(value)\n"
        }
        func gauge(_ name: String, _ help: String, _ value: Double) -> String {
            "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name){\(label)} \(value)\n"
        }
        return counter("apptier_jobs_classified_total", "Jobs that ended with a label.", snapshot.classified)
            + counter("apptier_jobs_rejected_total", "Jobs that ended with an error result (bad image).", snapshot.rejected)
            + counter("apptier_jobs_transient_failures_total", "Jobs left for redelivery after a transient failure.",
                      snapshot.transientFailures)
            + counter("apptier_messages_malformed_total", "Messages that were not jobs.", snapshot.malformed)
            + counter("apptier_visibility_heartbeats_total", "Visibility extensions of long jobs.", snapshot.heartbeats)
            + gauge("apptier_job_latency_mean_ms", "Mean receive-to-delete time of recent jobs.", snapshot.meanLatencyMs)
            + gauge("apptier_job_latency_p95_ms", "95th percentile receive-to-delete time of recent jobs.",
                    snapshot.p95LatencyMs)
    }
}
