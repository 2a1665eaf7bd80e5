/// Instance names `<prefix><n>` (the original design's `app-tier-N`).
enum FleetNaming {
    /// The name with the lowest n ≥ 1 not in `taken`, so names stay short and a replaced worker
    /// takes the freed number instead of counting up forever.
    static func lowestFreeName(prefix: String, taken: Set<String>) -> String {
        var number = 1
        while taken.contains("\(prefix)\(number)") { number += 1 }
        return "\(prefix)\(number)"
    }

    /// `count` distinct lowest free names, in increasing order.
    static func lowestFreeNames(prefix: String, taken: Set<String>, count: Int) -> [String] {
        var taken = taken
        var names: [String] = []
        for _ in 0..<max(count, 0) {
            let name = lowestFreeName(prefix: prefix, taken: taken)
            taken.insert(name)
            names.append(name)
        }
        return names
    }
}
