import HTTPServer

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
