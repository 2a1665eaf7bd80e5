import Foundation

/// Why the label file could not be used.
public enum LabelsError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformed(path: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read labels \(path): \(reason)"
        case .malformed(let path): return "labels \(path) must be a JSON array of strings (index = class id)"
        }
    }
}

/// Class names by class index (`Resources/imagenet-labels.json`: a JSON array of strings).
public struct Labels: Sendable, Equatable {
    public let names: [String]

    public init(names: [String]) {
        self.names = names
    }

    public init(contentsOf path: String) throws(LabelsError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        guard let names = try? JSONDecoder().decode([String].self, from: data) else { throw .malformed(path: path) }
        self.names = names
    }

    /// The name of class `index`, or "class N" when the file is shorter than the model's output.
    public subscript(index: Int) -> String {
        names.indices.contains(index) ? names[index] : "class \(index)"
    }
}
