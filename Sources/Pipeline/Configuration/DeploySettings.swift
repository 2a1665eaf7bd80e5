/// What `provision` creates in a real account beyond the names the tiers already know (buckets
/// and queues come from `storage` and `queues`, the fleet tag from `fleet.fleetTag`).
public struct DeploySettings: Codable, Sendable, Equatable {
    /// Who may reach the web tier's port (`web.port`). The whole internet by default, as in the
    /// original design; narrow it to your own address (`203.0.113.7/32`) when you can.
    public var webIngressCIDR = "0.0.0.0/0"
    /// Uploaded images expire this many days after upload (an S3 lifecycle rule on the input
    /// bucket's `uploads/` prefix); nil keeps them for ever.
    public var expireUploadsAfterDays: Int? = nil
    /// IAM role and instance profile (same name) of each tier.
    public var appTierRole = "elastic-classifier-app-tier"
    public var webTierRole = "elastic-classifier-web-tier"
    /// Security groups of each tier (the app tier's has no inbound rule).
    public var appTierSecurityGroup = "elastic-classifier-app-tier"
    public var webTierSecurityGroup = "elastic-classifier-web-tier"
    /// The VPC for the security groups; nil means the region's default VPC.
    public var vpcId: String? = nil
    /// How long teardown waits for the fleet's instances to terminate before deleting the
    /// security groups they use.
    public var teardownWaitSeconds = 300

    public init() {}
}
