import Foundation

/// Why a configuration could not be used, with the key path and what to do about it.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case malformed(source: String, reason: String)
    case unknownKey(source: String, keyPath: String, known: [String])
    case invalidValue(source: String, keyPath: String, reason: String)
    case outOfRange(keyPath: String, reason: String)
    case malformedOverride(flag: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "cannot read configuration file \(file): \(reason)"
        case let .malformed(source, reason):
            return "configuration from \(source) is not valid JSON: \(reason)"
        case let .unknownKey(source, keyPath, known):
            return "unknown configuration key '\(keyPath)' in \(source); known keys here: \(known.joined(separator: ", "))"
        case let .invalidValue(source, keyPath, reason):
            return "configuration key '\(keyPath)' from \(source) has the wrong type: \(reason)"
        case let .malformedOverride(flag):
            return "'--set \(flag)' is not an override: write --set key.path=value (e.g. --set scaling.maxInstances=4)"
        case let .outOfRange(keyPath, reason):
            return "configuration key '\(keyPath)' is out of range: \(reason)"
        }
    }
}
