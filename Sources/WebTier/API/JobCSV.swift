import Foundation

/// A job's results as CSV (RFC 4180): one row per image, in the job's image order, with a header.
///
/// Columns: `file,label,score,top5,status,error,imageId`. `top5` is one cell,
/// `label:score;label:score;…`; scores are probabilities. `status` is `done`, `failed` or
/// `pending` (no result yet). File names come from users and labels from the model, so every cell
/// that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage
/// return) gets a leading `'`; cells holding `,`, `"`, CR or LF are quoted with `"` doubled.
public enum JobCSV {
    public static let header = ["file", "label", "score", "top5", "status", "error", "imageId"]

    public static func render(_ status: JobStatus) -> String {
        var results: [String: ImageResult] = [:]
        for result in status.results { results[result.imageId] = result }
        var lines = [row(header)]
        for image in status.images {
            let result = results[image.imageId]
            let best = result.flatMap { result in
                result.top5.first { $0.label == result.label } ?? result.top5.first
            }
            lines.append(row([
                image.fileName,
                result?.label ?? "",
                best.map { number($0.score) } ?? "",
                result.map { $0.top5.map { "\($0.label):\(number($0.score))" }.joined(separator: ";") } ?? "",
                result.map { $0.failed ? "failed" : "done" } ?? "pending",
                result?.error ?? "",
                image.imageId,
            ]))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    public static func row(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",")
    }

    /// One cell, defused against formula injection, then quoted when RFC 4180 needs it.
    public static func cell(_ raw: String) -> String {
        var text = raw
        if let first = text.unicodeScalars.first, formulaStarts.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// Up to 6 decimals, no exponent, no trailing zeros: `0.75`, `0.000123`, `1`.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}
