import HTTPServer

/// Every route of the web tier, wrapped in the security headers.
public enum WebRoutes {
    public static func handler(context: WebContext, publicDirectory: String?) -> any HTTPHandler {
        var router = HTTPRouter()
        let admission = context.uploadAdmission
        let lookup = context.lookup
        router.add(.post, "/api/jobs", IntakeRoute(admission: admission, submitter: context.submitter))
        router.add(.get, "/api/jobs", JobListRoute(authorization: context.authorization, jobs: context.jobs,
                                                   limit: context.web.jobListLimit))
        router.add(.get, "/api/jobs/:id", JobExportRoute(status: JobStatusRoute(lookup: lookup, logger: context.logger)))
        router.add(.post, "/api/session", SessionRoute(authorization: context.authorization))
        router.add(.get, "/ws", JobSocketRoute(lookup: lookup, origins: context.origins, authorization: context.authorization))
        router.add(.get, "/ws/fleet", FleetSocketRoute(origins: context.origins, authorization: context.authorization,
                                                       fleet: context.fleet, metrics: context.metrics))
        router.add(.post, "/", CourseRoute(admission: admission, submitter: context.submitter, waiters: context.waiters,
                                           timeoutSeconds: context.web.courseEndpointTimeoutSeconds))
        OpsRoutes.add(to: &router, page: PageConfiguration(context.web), metrics: MetricsRoute(
            metrics: context.metrics, jobs: context.jobs, memoryBudget: context.memoryBudget,
            spoolBudget: context.spoolBudget, queueDepth: context.queueDepth, fleet: context.fleet))
        if let publicDirectory, let files = StaticDirectoryHandler(root: publicDirectory) {
            router.add(.get, "/", files)
            router.setFallback(files)
        } else {
            router.add(.get, "/") { _ in .error(.notFound, "the page's directory (Resources/Public) was not found") }
        }
        return SecurityHeaders(router)
    }
}
