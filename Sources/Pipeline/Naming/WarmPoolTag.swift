/// The tag that makes an instance a warm-pool member: its worker stops the instance when idle
/// instead of terminating it, and the web tier starts it again before launching new ones. Both
/// tiers and the IAM policies (the app tier may stop only members) spell it from here.
public enum WarmPoolTag {
    public static let key = "elastic-classifier:pool"
    public static let value = "warm"
}
