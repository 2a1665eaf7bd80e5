import Foundation

/// When images arrive, in seconds from the start.
public enum Workload: Sendable, Equatable, CustomStringConvertible {
    /// `images` uploaded back to back at `imagesPerSecond` (the web tier's intake rate).
    case burst(images: Int, imagesPerSecond: Double)
    /// A Poisson stream at `imagesPerSecond` for `seconds`, plus a burst of `burstImages` every
    /// `burstEverySeconds` (the first one at half that), uploaded at `burstImagesPerSecond`.
    case streamWithBursts(imagesPerSecond: Double, seconds: Double, burstImages: Int, burstEverySeconds: Double,
                          burstImagesPerSecond: Double)
    /// A day compressed into `seconds`: the rate follows one cosine from `nightImagesPerSecond`
    /// at midnight to `peakImagesPerSecond` at noon (Poisson arrivals).
    case diurnal(seconds: Double, nightImagesPerSecond: Double, peakImagesPerSecond: Double)

    public var description: String {
        switch self {
        case let .burst(images, _): return "burst \(images)"
        case let .streamWithBursts(rate, _, burst, every, _):
            return "stream \(Self.format(rate))/s + \(burst) every \(Int(every)) s"
        case let .diurnal(seconds, _, peak): return "diurnal \(Int(seconds / 60)) min, peak \(Self.format(peak))/s"
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))" : String(format: "%.1f", value)
    }

    /// The arrival times, sorted.
    public func arrivals(using random: inout some RandomNumberGenerator) -> [Double] {
        switch self {
        case let .burst(images, rate):
            return Self.burst(images: images, rate: rate, at: 0)
        case let .streamWithBursts(rate, seconds, burstImages, every, burstRate):
            var times = Self.poisson(until: seconds, using: &random) { _ in rate }
            var start = every / 2
            while every > 0, start < seconds {
                times += Self.burst(images: burstImages, rate: burstRate, at: start)
                start += every
            }
            return times.sorted()
        case let .diurnal(seconds, night, peak):
            return Self.poisson(until: seconds, using: &random) { time in
                night + (peak - night) * (1 - cos(2 * Double.pi * time / seconds)) / 2
            }
        }
    }

    static func burst(images: Int, rate: Double, at start: Double) -> [Double] {
        (0..<max(images, 0)).map { start + Double($0) / max(rate, 1e-9) }
    }

    /// A Poisson process with a time-varying rate, by thinning (Lewis and Shedler) against the
    /// largest rate sampled on a fine grid.
    static func poisson(until end: Double, using random: inout some RandomNumberGenerator,
                        rate: (Double) -> Double) -> [Double] {
        let ceiling = stride(from: 0.0, through: end, by: max(end / 1000, 1e-3)).map(rate).max() ?? 0
        guard ceiling > 0, end > 0 else { return [] }
        var times: [Double] = []
        var time = 0.0
        while true {
            time += -log(1 - Double.random(in: 0..<1, using: &random)) / ceiling
            guard time < end else { return times }
            if Double.random(in: 0..<1, using: &random) * ceiling <= rate(time) { times.append(time) }
        }
    }
}
