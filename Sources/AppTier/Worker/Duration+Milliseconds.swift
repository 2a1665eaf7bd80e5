extension Duration {
    /// The duration in (fractional) milliseconds, for logs and counters.
    var milliseconds: Double {
        let parts = components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }
}
