import Foundation

/// Softmax and top-k over one row of logits.
public enum Scores {
    /// Probabilities in Double: subtracting the maximum keeps `exp` from overflowing.
    public static func softmax(_ logits: UnsafeBufferPointer<Float>) -> [Double] {
        guard let maximum = logits.max() else { return [] }
        var probabilities = logits.map { exp(Double($0) - Double(maximum)) }
        let total = probabilities.reduce(0, +)
        for index in probabilities.indices { probabilities[index] /= total }
        return probabilities
    }

    /// The `k` largest, best first; ties keep the lower index first (numpy's stable argsort).
    public static func top(_ probabilities: [Double], k: Int) -> [(index: Int, score: Double)] {
        let count = min(max(k, 0), probabilities.count)
        var best: [(index: Int, score: Double)] = []
        best.reserveCapacity(count + 1)
        for (index, score) in probabilities.enumerated() {
            if best.count == count, let last = best.last, score <= last.score { continue }
            var position = best.count
            while position > 0 && best[position - 1].score < score { position -= 1 }
            best.insert((index, score), at: position)
            if best.count > count { best.removeLast() }
        }
        return best
    }
}
