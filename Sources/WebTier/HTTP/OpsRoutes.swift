import HTTPServer
import Pipeline

/// `/healthz`, `/metrics` and `/api/config`.
enum OpsRoutes {
    static func add(to router: inout HTTPRouter, page: PageConfiguration, metrics: MetricsRoute) {
        router.add(.get, "/healthz") { _ in .text("ok\n") }
        router.add(.get, "/api/config") { _ in WebContext.json(page) }
        router.add(.get, "/metrics", metrics)
    }
}

/// `GET /metrics`: the counters plus the live gauges (jobs held, intake bytes, queue and fleet).
struct MetricsRoute: HTTPHandler {
    let metrics: WebMetrics
    let jobs: JobStore
    let memoryBudget: MultipartBudget
    let spoolBudget: MultipartBudget
    let queueDepth: QueueDepthCache
    let fleet: FleetChannel

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        var live = WebMetrics.Live(jobsHeld: jobs.jobCount, intakeMemoryBytes: memoryBudget.bytesInUse,
                                   intakeSpoolBytes: spoolBudget.bytesInUse)
        // Depth is read at most every web.queueDepthCacheSeconds (scrapes need no token); an
        // unreachable queue leaves the gauge out, not zero.
        if let depth = await queueDepth.depth() {
            live.requestQueueVisible = depth.visible
            live.requestQueueInFlight = depth.inFlight
        }
        if let fleet = fleet.latest {
            live.fleetPending = fleet.instances.pending
            live.fleetRunning = fleet.instances.running
            live.fleetStopped = fleet.instances.stopped
            live.fleetDesired = fleet.desired
        }
        var response = HTTPResponse(contentType: "text/plain; version=0.0.4; charset=utf-8",
                                    body: Array(metrics.render(live).utf8))
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}
