import Foundation
import Vision

/// Prints one line per input, as JSON lines or for people.
struct ResultPrinter {
    let json: Bool
    let top: Int

    init(json: Bool, top: Int) {
        self.json = json
        self.top = top
    }

    mutating func success(file: String, _ classification: Classification) {
        let milliseconds = classification.preprocessMilliseconds + classification.inferenceMilliseconds
        if json {
            // Written by hand to keep the documented key order (file, label, score, top5, ms).
            let ranked = classification.predictions.prefix(5)
                .map { "{\"label\":\(Self.quoted($0.label)),\"score\":\($0.score)}" }.joined(separator: ",")
            print("{\"file\":\(Self.quoted(file)),\"label\":\(Self.quoted(classification.label)),"
                  + "\"score\":\(classification.score),\"top5\":[\(ranked)],\"ms\":\((milliseconds * 1000).rounded() / 1000)}")
        } else {
            let others = classification.predictions.prefix(top).dropFirst()
                .map { "\($0.label) \(String(format: "%.3f", $0.score))" }.joined(separator: ", ")
            print("\(file): \(classification.label) (\(String(format: "%.3f", classification.score)))"
                  + (others.isEmpty ? "" : "  [\(others)]") + String(format: "  %.1f ms", milliseconds))
        }
    }

    mutating func failure(file: String, message: String) {
        if json {
            print("{\"file\":\(Self.quoted(file)),\"error\":\(Self.quoted(message))}")
        } else {
            FileHandle.standardError.write(Data("\(file): error: \(message)\n".utf8))
        }
    }

    /// A JSON string literal (JSONEncoder does the escaping).
    static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(text) else { return "\"\"" }
        return String(decoding: data, as: UTF8.self)
    }
}
