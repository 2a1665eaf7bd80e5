import Synchronization

/// The web tier's counters and gauges, rendered in the Prometheus text format by `/metrics`.
public final class WebMetrics: Sendable {
    public struct Counters: Sendable, Equatable {
        public var uploadRequests = 0
        public var imagesAccepted = 0
        public var bytesAccepted = 0
        public var filesRejected = 0
        public var requestsRefused = 0
        public var storageFailures = 0
        public var resultsReceived = 0
        public var duplicateResults = 0
        public var intakeInFlight = 0
        public var courseWaiting = 0
        public var webSockets = 0
        /// Images reported failed because their job reached the dead-letter queue.
        public var deadLettered = 0
        /// Lookups of jobs not held here refused past the rebuild rate limit (429).
        public var jobLookupsRefused = 0
        public var latency = LatencyHistogram()
    }

    private let counters = Mutex(Counters())

    public init() {}

    public func update(_ change: (inout Counters) -> Void) {
        counters.withLock { change(&$0) }
    }

    public var snapshot: Counters { counters.withLock { $0 } }

    /// Gauges read at scrape time from elsewhere.
    public struct Live: Sendable {
        public var requestQueueVisible: Int?
        public var requestQueueInFlight: Int?
        public var fleetPending: Int?
        public var fleetRunning: Int?
        /// Stopped warm-pool members.
        public var fleetStopped: Int?
        public var fleetDesired: Int?
        public var jobsHeld: Int
        /// Upload bytes held now in memory and in spool files (`web.intakeMemoryBytes`, `web.spoolDiskBytes`).
        public var intakeMemoryBytes: Int
        public var intakeSpoolBytes: Int

        public init(requestQueueVisible: Int? = nil, requestQueueInFlight: Int? = nil, fleetPending: Int? = nil,
                    fleetRunning: Int? = nil, fleetDesired: Int? = nil, jobsHeld: Int = 0,
                    intakeMemoryBytes: Int = 0, intakeSpoolBytes: Int = 0) {
            self.intakeMemoryBytes = intakeMemoryBytes
            self.intakeSpoolBytes = intakeSpoolBytes
            self.requestQueueVisible = requestQueueVisible
            self.requestQueueInFlight = requestQueueInFlight
            self.fleetPending = fleetPending
            self.fleetRunning = fleetRunning
            self.fleetDesired = fleetDesired
            self.jobsHeld = jobsHeld
        }
    }

    public func render(_ live: Live) -> String {
        let c = snapshot
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Int)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for sample in samples { lines.append("\(name)\(sample.labels) \(sample.value)") }
        }
        metric("webtier_upload_requests_total", "counter", "Upload requests received (POST /api/jobs and POST /).",
               [("", c.uploadRequests)])
        metric("webtier_images_accepted_total", "counter", "Images stored and queued.", [("", c.imagesAccepted)])
        metric("webtier_accepted_bytes_total", "counter", "Bytes of accepted images.", [("", c.bytesAccepted)])
        metric("webtier_files_rejected_total", "counter", "Files refused at intake (extension, content, name).",
               [("", c.filesRejected)])
        metric("webtier_requests_refused_total", "counter", "Upload requests refused whole (limits, token, format).",
               [("", c.requestsRefused)])
        metric("webtier_storage_failures_total", "counter", "Images that could not be stored or queued.",
               [("", c.storageFailures)])
        metric("webtier_results_total", "counter", "Results received from the response queue.",
               [("", c.resultsReceived)])
        metric("webtier_duplicate_results_total", "counter", "Results received again (at-least-once delivery).",
               [("", c.duplicateResults)])
        metric("webtier_intake_in_flight", "gauge", "Upload requests being processed.", [("", c.intakeInFlight)])
        metric("webtier_course_requests_waiting", "gauge", "Course-style requests waiting for their result.",
               [("", c.courseWaiting)])
        metric("webtier_websockets", "gauge", "Open WebSocket connections.", [("", c.webSockets)])
        metric("webtier_jobs_held", "gauge", "Jobs held in memory.", [("", live.jobsHeld)])
        metric("webtier_intake_held_bytes", "gauge", "Upload bytes held now, in memory and in spool files.",
               [("{where=\"memory\"}", live.intakeMemoryBytes), ("{where=\"spool\"}", live.intakeSpoolBytes)])
        metric("webtier_dead_lettered_total", "counter", "Images reported failed because their job was dead-lettered.",
               [("", c.deadLettered)])
        metric("webtier_job_lookups_refused_total", "counter", "Lookups of jobs not held here refused by the rebuild rate limit.",
               [("", c.jobLookupsRefused)])
        if let visible = live.requestQueueVisible, let inFlight = live.requestQueueInFlight {
            metric("webtier_request_queue_messages", "gauge", "Request queue depth (SQS approximate counts).",
                   [("{state=\"visible\"}", visible), ("{state=\"in_flight\"}", inFlight)])
        }
        if let pending = live.fleetPending, let running = live.fleetRunning {
            metric("webtier_fleet_instances", "gauge", "App-tier instances by state (latest autoscaler tick).",
                   [("{state=\"pending\"}", pending), ("{state=\"running\"}", running),
                    ("{state=\"stopped\"}", live.fleetStopped ?? 0)])
        }
        if let desired = live.fleetDesired {
            metric("webtier_fleet_desired_instances", "gauge", "Instances the autoscaler wants.", [("", desired)])
        }
        lines.append("# HELP webtier_result_latency_seconds Intake to result, per image.")
        lines.append("# TYPE webtier_result_latency_seconds histogram")
        lines += c.latency.lines(name: "webtier_result_latency_seconds")
        return lines.joined(separator: "\n") + "\n"
    }
}
