import Pipeline

/// The names of everything one deployment owns, from its configuration, and the tag that marks
/// each of them as ours.
public struct DeploymentNames: Sendable, Equatable {
    /// The tag key on every resource we create. Same key as the web tier's EC2 fleet uses for
    /// its instances (`EC2Fleet.fleetTagKey`), so one tag finds the whole deployment.
    public static let fleetTagKey = "elastic-classifier:fleet"
    /// Uploads live under this prefix of the input bucket (`ObjectNaming.inputKey`).
    public static let uploadsPrefix = "uploads/"

    public var fleetTag: String
    public var region: String
    public var inputBucket: String
    public var outputBucket: String
    public var requestQueue: String
    public var responseQueue: String
    public var deadLetterQueue: String
    public var appTierRole: String
    public var webTierRole: String
    public var appTierSecurityGroup: String
    public var webTierSecurityGroup: String

    public init(_ configuration: Configuration) {
        let suffix = configuration.queues.fifo ? ".fifo" : ""
        fleetTag = configuration.fleet.fleetTag
        region = configuration.aws.region
        inputBucket = configuration.storage.inputBucket
        outputBucket = configuration.storage.outputBucket
        requestQueue = configuration.queues.requestQueue + suffix
        responseQueue = configuration.queues.responseQueue + suffix
        deadLetterQueue = configuration.queues.deadLetterQueue + suffix
        appTierRole = configuration.deploy.appTierRole
        webTierRole = configuration.deploy.webTierRole
        appTierSecurityGroup = configuration.deploy.appTierSecurityGroup
        webTierSecurityGroup = configuration.deploy.webTierSecurityGroup
    }

    /// The tags every resource gets.
    public var tags: [String: String] { [Self.fleetTagKey: fleetTag] }

    /// Whether `tags` mark a resource as this deployment's.
    public func isOurs(_ tags: [String: String]) -> Bool { tags[Self.fleetTagKey] == fleetTag }
}
