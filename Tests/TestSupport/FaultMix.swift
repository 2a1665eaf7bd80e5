import Foundation

/// Per-request fault probabilities for a `FaultProxy`: while a window is open, each request the
/// proxy reads draws one of these faults (or none) independently, so a run sees a random mix the
/// client must survive, not one outage it can wait out.
public struct FaultMix: Sendable, Equatable {
    /// Probability that a request is held for `delayDuration` before it is forwarded.
    public var delay: Double
    /// Probability that a request reaches the server but its response is replaced by a reset.
    public var resetAfterRequest: Double
    /// Probability that a request is answered 503 in the AWS error shape without reaching the server.
    public var serviceUnavailable: Double
    public var delayDuration: Duration

    public init(delay: Double = 0, resetAfterRequest: Double = 0, serviceUnavailable: Double = 0,
                delayDuration: Duration = .milliseconds(500)) {
        self.delay = delay
        self.resetAfterRequest = resetAfterRequest
        self.serviceUnavailable = serviceUnavailable
        self.delayDuration = delayDuration
    }

    /// A total fault probability split evenly between the three kinds.
    public static func even(probability: Double, delayDuration: Duration = .milliseconds(500)) -> FaultMix {
        let each = min(max(probability, 0), 1) / 3
        return FaultMix(delay: each, resetAfterRequest: each, serviceUnavailable: each, delayDuration: delayDuration)
    }

    /// The fault for a request whose uniform draw is `draw` (0..<1); nil lets it pass.
    public func fault(forDraw draw: Double) -> FaultProxy.Mode? {
        var threshold = delay
        if draw < threshold { return .delay(delayDuration) }
        threshold += resetAfterRequest
        if draw < threshold { return .resetAfterRequest }
        threshold += serviceUnavailable
        if draw < threshold { return .serviceUnavailable }
        return nil
    }
}
