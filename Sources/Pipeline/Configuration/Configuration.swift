import Foundation

/// Everything both tiers can be told: where AWS is, what the buckets and queues are called, how the
/// worker polls and when it gives up, how the fleet scales, what the web tier accepts, and which
/// model classifies. One JSON file under `Config/` sets it (`local.json` embeds the local defaults,
/// `aws.example.json` shows a real account), environment variables and flags override it.
///
/// Every field has a default, so a file only names what it changes; a key the schema does not know
/// is an error (a typo must not silently fall back to a default).
public struct Configuration: Codable, Sendable, Equatable {
    public var aws = AWSSettings()
    public var storage = StorageSettings()
    public var queues = QueueSettings()
    public var worker = WorkerSettings()
    public var scaling = ScalingSettings()
    public var fleet = FleetSettings()
    public var web = WebSettings()
    public var model = ModelSettings()
    public var deploy = DeploySettings()

    public init() {}
}

/// Where AWS is and how to reach it. Credentials are not here: they come from the credentials chain
/// (environment, shared file, instance role), never from a file that might be committed.
public struct AWSSettings: Codable, Sendable, Equatable {
    public var region = "us-east-1"
    /// One custom endpoint for every service (moto in local mode); `nil` means real AWS endpoints.
    public var endpointURL: String? = nil
    /// Instance metadata (IMDSv2). `nil` means AWS's default address, which is used only by a real
    /// EC2 worker: never in local mode (`Configuration.isLocalMode`) unless set here, and never while
    /// AWS_EC2_METADATA_DISABLED=true; tests point it at loopback.
    public var metadataEndpoint: String? = nil
    public var maxAttempts = 3
    /// The local AWS (moto) the web tier starts when nothing answers at a loopback endpoint.
    public var localServer = LocalAWSServerSettings()

    public init() {}
}

/// How `webtier` starts a local AWS of its own: `swift run webtier` in a set-up checkout then
/// needs no separate moto. Only for a loopback `aws.endpointURL` where nothing answers.
public struct LocalAWSServerSettings: Codable, Sendable, Equatable {
    /// Start moto when nothing answers at the loopback endpoint; false reports it instead.
    public var startWhenAbsent = true
    /// The project's Python venv holding `bin/moto_server`; relative paths are from the current
    /// directory (`ELASTIC_VENV` sets it).
    public var venv = ".venv"
    /// How long moto may take to answer `GET /moto-api/` (about half a second here).
    public var startTimeoutSeconds = 30.0
    /// How long moto may take to exit after SIGTERM (about 2.5 s) before SIGKILL.
    public var stopGraceSeconds = 10.0

    public init() {}
}

/// S3 buckets: uploaded images go to the input bucket, results (audit body and JSON) to the output bucket.
public struct StorageSettings: Codable, Sendable, Equatable {
    public var inputBucket = "elastic-classifier-input"
    public var outputBucket = "elastic-classifier-output"
    /// Create missing buckets at start-up (local mode); on a real account they are usually made once.
    public var createIfMissing = true

    public init() {}
}

/// SQS queues and their delivery settings.
public struct QueueSettings: Codable, Sendable, Equatable {
    public var requestQueue = "elastic-classifier-requests"
    public var responseQueue = "elastic-classifier-responses"
    public var deadLetterQueue = "elastic-classifier-requests-dlq"
    /// Receives before SQS moves a job to the dead-letter queue (poison messages, crashing jobs).
    public var maxReceiveCount = 5
    /// Must exceed the worst-case processing time; workers extend it with heartbeats for slow jobs.
    public var visibilityTimeoutSeconds = 60
    /// Long-poll wait (SQS allows 0...20).
    public var longPollSeconds = 5
    /// FIFO would serialise the fleet behind one message group; standard queues are the default.
    public var fifo = false
    public var createIfMissing = true

    public init() {}
}

/// How a worker polls and when it decides it is idle.
public struct WorkerSettings: Codable, Sendable, Equatable {
    /// `local`: a process on this machine that exits when idle; `ec2`: terminates its own instance.
    public var mode: WorkerMode = .local
    /// Consecutive empty long polls, with nothing in flight, before the worker shuts down
    /// (the original design's X).
    public var maxEmptyPollsBeforeShutdown = 12
    /// Messages asked for per ReceiveMessage (1...10).
    public var receiveBatchSize = 4
    /// Jobs downloaded or classified at once.
    public var parallelism = 4
    /// Images that become ready while the model is busy are run as one batch of up to this many.
    /// 1 by default: on a 2-core machine with EfficientNet-Lite0, batches cost more CPU per image
    /// than single runs (scripts/bench-apptier measured 28.2 vs 25.2 ms per job).
    public var maxInferenceBatch = 1
    /// Seconds between the counters the worker logs; 0 turns them off.
    public var statsIntervalSeconds = 30
    /// A small HTTP port for `/metrics`; `nil` turns it off.
    public var metricsPort: Int? = nil
    /// Seconds a draining worker waits for in-flight jobs before releasing them to the queue.
    /// With the receive cut short by the stop, a stop takes at most this plus a few seconds of
    /// releases: under the AMI unit's `TimeoutStopSec=30` (scripts/ami/apptier.service).
    public var drainSeconds = 20
    /// A job (download, decode, inference) still running after this many seconds is abandoned:
    /// its message is released for a retry (the dead-letter queue after `queues.maxReceiveCount`
    /// receives) and no longer heartbeated. Its slot stays taken until the stuck work returns; a
    /// worker whose slots are all stuck exits non-zero so its supervisor restarts it.
    public var jobDeadlineSeconds = 120
    /// Seconds between the worker's liveness messages on the response queue (the controller
    /// terminates instances that stop sending them, see `scaling.heartbeatGraceSeconds`); 0: none.
    public var heartbeatSeconds = 30
    /// Also store the original course's output: one object per image in the output bucket, keyed
    /// by the file name without its extension (`test_0`), holding `(test_0, label)`.
    public var courseOutput = false

    public init() {}
}

public enum WorkerMode: String, Codable, Sendable, Equatable {
    case local
    case ec2
}

/// The autoscaler's control rule: desired = clamp(ceil(backlog / targetBacklogPerInstance), min, max).
public struct ScalingSettings: Codable, Sendable, Equatable {
    public var minInstances = 0
    /// The original design's cap of 19 app-tier instances (20 per account, one is the web tier).
    public var maxInstances = 19
    public var targetBacklogPerInstance = 1
    public var intervalSeconds = 3.0
    /// At most this many launches in one control tick.
    public var maxLaunchesPerTick = 19
    /// Seconds after a launch before the next one (lets new instances start pulling work).
    public var launchCooldownSeconds = 10.0
    /// An instance still pending after this long is terminated and replaced.
    public var pendingTimeoutSeconds = 300.0
    /// An instance running this long without a worker heartbeat (since launch, or since its last
    /// one) is terminated: a worker that never started or stopped working. Boot time counts, so
    /// this must cover a cold boot plus loading the model. 0 turns the rule off.
    public var heartbeatGraceSeconds = 300.0
    /// `backlog`: the rule above. `slo`: launch just enough instances to answer the backlog within
    /// `drainTargetSeconds`, from the learned throughput per instance and `bootSeconds`, and
    /// release instances the target no longer needs (see `DrainTargetPlan`).
    public var policy: ScalingPolicyKind = .backlog
    /// The `slo` policy's target: seconds from now by which the backlog should be answered.
    public var drainTargetSeconds = 30.0
    /// Seconds from launch until a new instance takes work (EC2 boot plus the worker's start-up).
    public var bootSeconds = 60.0
    /// Images per second one instance is assumed to answer until results have taught the
    /// `slo` policy better.
    public var initialImagesPerSecondPerInstance = 10.0
    /// The `slo` policy releases instances only after they have been surplus this long, and never
    /// before `billingMinimumSeconds` of their life (already paid for: EC2 bills a minute at least).
    public var scaleInDelaySeconds = 20.0
    public var billingMinimumSeconds = 60.0
    /// Stopped instances started before anything is launched (EC2 fleet only).
    public var warmPool = WarmPoolSettings()

    public init() {}
}

/// Which rule decides how many instances the fleet wants.
public enum ScalingPolicyKind: String, Codable, Sendable, Equatable {
    case backlog
    case slo
}

/// Where app-tier workers run.
public struct FleetSettings: Codable, Sendable, Equatable {
    public var kind: FleetKind = .local
    /// Path to the `apptier` binary for the local fleet; `nil` means next to the web tier's binary.
    public var workerExecutable: String? = nil
    /// The value of the fleet tag that marks our instances (found again after a web-tier restart).
    public var fleetTag = "elastic-classifier"
    /// Instances are named `<namePrefix><n>` (the original design's `app-tier-N`).
    public var namePrefix = "app-tier-"
    public var ec2 = EC2LaunchSettings()

    public init() {}
}

public enum FleetKind: String, Codable, Sendable, Equatable {
    case local
    case ec2
}

/// RunInstances parameters for the EC2 fleet.
public struct EC2LaunchSettings: Codable, Sendable, Equatable {
    public var imageId = ""
    public var instanceType = "t3.micro"
    public var keyName: String? = nil
    public var securityGroupIds: [String] = []
    public var subnetId: String? = nil
    public var instanceProfile: String? = nil
    /// A file whose contents become the instances' user data (scripts/ami/user-data.sh).
    public var userDataFile: String? = nil

    public init() {}
}

/// What the web tier listens on and what it accepts.
public struct WebSettings: Codable, Sendable, Equatable {
    public var listenAddress = "0.0.0.0"
    public var port = 5000
    /// When set, uploads need `Authorization: Bearer <token>` or the `upload_token` cookie.
    public var uploadToken: String? = nil
    /// Origins allowed to open WebSockets; empty means same-origin only.
    public var allowedOrigins: [String] = []
    public var allowedExtensions = ["jpg", "jpeg", "png"]
    public var maxFileBytes = 20 * 1024 * 1024
    public var maxRequestBytes = 1024 * 1024 * 1024
    public var maxFilesPerRequest = 500
    /// Upload bytes held in memory at once across all requests being read; a file beyond it
    /// waits in a temporary file instead. Memory is the cheap path (no file create, write, read
    /// back and unlink per image), the cap keeps a flood of large uploads bounded.
    public var intakeMemoryBytes = 16 * 1024 * 1024
    /// Upload bytes held in spool files at once across all requests being read; past it uploads
    /// are refused with 503 and Retry-After instead of filling the disk.
    public var spoolDiskBytes = 2 * 1024 * 1024 * 1024
    /// Where upload spool files go (one subdirectory per running web tier); `nil` means
    /// `<temporary directory>/elastic-classifier-spool`.
    public var spoolDirectory: String? = nil
    /// `/metrics` reads the request queue's depth (an SQS request) at most this often; scrapes in
    /// between, and concurrent ones, share the last answer.
    public var queueDepthCacheSeconds = 2.0
    /// A job id that S3 does not know is remembered as unknown this long, so asking again costs
    /// no S3 listing.
    public var unknownJobCacheSeconds = 30.0
    /// Job rebuilds from S3 (an id not held in memory, each one S3 listing or more) allowed per
    /// second on average across all clients, and in a burst; past them 429 with Retry-After.
    public var jobRebuildsPerSecond = 5.0
    public var jobRebuildBurst = 20
    /// How long the course-compatible `POST /` waits for its result before answering 504.
    public var courseEndpointTimeoutSeconds = 120.0
    public var maxConnections = 4096
    /// Jobs `GET /api/jobs` lists at most (the newest).
    public var jobListLimit = 50
    /// Connections one client address may hold at once (more get 503), so one client cannot
    /// take them all; 0 means no cap (behind a proxy every client has the proxy's address). Not
    /// lower: the course's workload generator sends every image at once from one address (a
    /// 64 cap refused most of a 100-request burst).
    public var maxConnectionsPerAddress = 1024
    /// A request body must arrive within this grace period plus its size at
    /// `bodyMinimumBytesPerSecond`, or it is answered 408: a client dripping a byte just inside
    /// the idle timeout cannot hold a connection for ever.
    public var bodyReadGraceSeconds = 30.0
    public var bodyMinimumBytesPerSecond = 10_000

    public init() {}
}

/// The classifier: model file, labels, ONNX Runtime and preprocessing.
public struct ModelSettings: Codable, Sendable, Equatable {
    public var path = "models/efficientnet-lite0.onnx"
    public var name = "efficientnet-lite0"
    public var labelsPath = "Resources/imagenet-labels.json"
    /// `libonnxruntime.so` (`ORT_LIBRARY_PATH` sets it); `nil` means the project venv's wheel.
    public var onnxRuntimeLibrary: String? = nil
    public var intraOpThreads = 2
    public var resizeShorterSide = 256
    public var cropSize = 224
    public var mean: [Float] = [0.485, 0.456, 0.406]
    public var std: [Float] = [0.229, 0.224, 0.225]
    public var maxImageBytes = 20 * 1024 * 1024
    public var maxImagePixels = 50_000_000
    public var topK = 5

    public init() {}
}
