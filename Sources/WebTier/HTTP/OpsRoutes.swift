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

/// Every route of the web tier, wrapped in the security headers.
public enum WebRoutes {
    public static func handler(context: WebContext, publicDirectory: String?) -> any HTTPHandler {
        var router = HTTPRouter()
        router.add(.post, "/api/jobs", IntakeRoute(context: context))
        router.add(.get, "/api/jobs", JobListRoute(context: context))
        router.add(.get, "/api/jobs/:id", JobExportRoute(status: JobStatusRoute(context: context)))
        router.add(.post, "/api/session", SessionRoute(context: context))
        router.add(.get, "/ws", JobSocketRoute(context: context))
        router.add(.get, "/ws/fleet", FleetSocketRoute(context: context))
        router.add(.post, "/", CourseRoute(context: context))
        OpsRoutes.add(to: &router, context: context)
        if let publicDirectory, let files = StaticDirectoryHandler(root: publicDirectory) {
            router.add(.get, "/", files)
            router.setFallback(files)
        } else {
            router.add(.get, "/") { _ in .error(.notFound, "the page's directory (Resources/Public) was not found") }
        }
        return SecurityHeaders(router)
    }
}
