import HTTPServer
import Pipeline

/// `/healthz`, `/metrics` and `/api/config`.
enum OpsRoutes {
    static func add(to router: inout HTTPRouter, context: WebContext) {
        router.add(.get, "/healthz") { _ in .text("ok\n") }
        router.add(.get, "/api/config") { _ in WebContext.json(PageConfiguration(context.web)) }
        router.add(.get, "/metrics") { _ in
            var live = WebMetrics.Live(jobsHeld: context.jobs.jobCount, intakeMemoryBytes: context.memoryBudget.bytesInUse,
                                       intakeSpoolBytes: context.spoolBudget.bytesInUse)
            // Depth is read at most every web.queueDepthCacheSeconds (scrapes need no token); an
            // unreachable queue leaves the gauge out, not zero.
            if let depth = await context.queueDepth.depth() {
                live.requestQueueVisible = depth.visible
                live.requestQueueInFlight = depth.inFlight
            }
            if let fleet = context.fleet.latest {
                live.fleetPending = fleet.instances.pending
                live.fleetRunning = fleet.instances.running
                live.fleetDesired = fleet.desired
            }
            var response = HTTPResponse(contentType: "text/plain; version=0.0.4; charset=utf-8",
                                        body: Array(context.metrics.render(live).utf8))
            response.headers.set("Cache-Control", "no-store")
            return response
        }
    }
}
