import Foundation

/// Builds a `Configuration` from layers: built-in defaults, then a JSON file, then environment
/// variables, then explicit `key.path=value` overrides (command-line flags). Later layers win.
///
/// Layers are merged as JSON objects before one final decode, so a file names only what it
/// changes, and every unknown key is reported with its full path instead of being ignored.
public struct ConfigurationLoader: Sendable {
    /// Environment variables the loader understands, and the key each one sets.
    public static let environmentKeys: [(variable: String, keyPath: String, kind: ValueKind)] = [
        ("ELASTIC_ENDPOINT", "aws.endpointURL", .string),
        ("ELASTIC_REGION", "aws.region", .string),
        ("ELASTIC_METADATA_ENDPOINT", "aws.metadataEndpoint", .string),
        ("ELASTIC_VENV", "aws.localServer.venv", .string),
        ("ELASTIC_PORT", "web.port", .integer),
        ("ELASTIC_LISTEN_ADDRESS", "web.listenAddress", .string),
        ("ELASTIC_UPLOAD_TOKEN", "web.uploadToken", .string),
        ("ELASTIC_MODEL", "model.path", .string),
        ("ELASTIC_LABELS", "model.labelsPath", .string),
        ("ORT_LIBRARY_PATH", "model.onnxRuntimeLibrary", .string),
        ("ELASTIC_WORKER_MODE", "worker.mode", .string),
        ("ELASTIC_WORKER_EXECUTABLE", "fleet.workerExecutable", .string),
        ("ELASTIC_MAX_INSTANCES", "scaling.maxInstances", .integer),
    ]

    public enum ValueKind: Sendable {
        case string
        case integer
        /// The text is parsed as JSON (numbers, booleans, arrays); bare words are taken as strings.
        case json
    }

    public init() {}

    /// Reads `key.path=value` flags (`--set` on the commands) into overrides for `load`.
    /// The value may itself contain `=`; a flag without one is refused.
    public static func overrides(fromFlags flags: [String]) throws(ConfigurationError) -> [String: String] {
        var overrides: [String: String] = [:]
        for flag in flags {
            guard let equals = flag.firstIndex(of: "="), equals != flag.startIndex else {
                throw .malformedOverride(flag: flag)
            }
            overrides[String(flag[..<equals])] = String(flag[flag.index(after: equals)...])
        }
        return overrides
    }

    /// Loads `file` (if any) over the defaults, then applies the environment and the overrides.
    public func load(
        file: URL? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        overrides: [String: String] = [:]
    ) throws(ConfigurationError) -> Configuration {
        var merged = try Self.defaultsObject()
        if let file {
            let fileObject = try Self.readObject(file)
            try Self.checkKeys(fileObject, against: Configuration(), path: "", source: file.path)
            Self.merge(fileObject, into: &merged)
        }
        for entry in Self.environmentKeys {
            guard let raw = environment[entry.variable], !raw.isEmpty else { continue }
            // Said here, where the variable is known: the decode below could name only the key.
            if entry.kind == .integer, Int(raw.trimmingCharacters(in: .whitespaces)) == nil {
                throw .invalidValue(source: "environment variable \(entry.variable)", keyPath: entry.keyPath,
                                    reason: "expected a whole number, got '\(raw)'")
            }
            try Self.set(entry.keyPath, to: Self.value(raw, kind: entry.kind), in: &merged,
                         source: "environment variable \(entry.variable)")
        }
        for (keyPath, raw) in overrides.sorted(by: { $0.key < $1.key }) {
            try Self.set(keyPath, to: Self.value(raw, kind: .json), in: &merged, source: "override \(keyPath)")
        }
        let configuration = try Self.decode(merged)
        try configuration.validate()
        return configuration
    }

    // MARK: - Layers as JSON objects

    static func defaultsObject() throws(ConfigurationError) -> [String: Any] {
        do {
            let data = try JSONEncoder().encode(Configuration())
            return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        } catch {
            // The defaults are ours; failing to encode them is a programming error worth a clear message.
            throw .malformed(source: "built-in defaults", reason: "\(error)")
        }
    }

    static func readObject(_ file: URL) throws(ConfigurationError) -> [String: Any] {
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw .unreadable(file: file.path, reason: error.localizedDescription)
        }
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ConfigurationError.malformed(source: file.path, reason: "the top level must be an object")
            }
            return object
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw .malformed(source: file.path, reason: "\(error)")
        }
    }

    /// Reports the first key that the schema does not have. Optional fields are absent from the
    /// encoded defaults, so the schema is read from the value's own properties instead.
    static func checkKeys(_ object: [String: Any], against schema: Any, path: String, source: String) throws(ConfigurationError) {
        let children = Mirror(reflecting: schema).children
        let known = children.compactMap(\.label)
        for key in object.keys.sorted() {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard let child = children.first(where: { $0.label == key }) else {
                throw .unknownKey(source: source, keyPath: keyPath, known: known)
            }
            if let nested = object[key] as? [String: Any], Mirror(reflecting: child.value).displayStyle == .struct {
                try checkKeys(nested, against: child.value, path: keyPath, source: source)
            }
        }
    }

    static func merge(_ layer: [String: Any], into base: inout [String: Any]) {
        for (key, value) in layer {
            if let nested = value as? [String: Any], var existing = base[key] as? [String: Any] {
                merge(nested, into: &existing)
                base[key] = existing
            } else {
                base[key] = value
            }
        }
    }

    static func set(_ keyPath: String, to value: Any, in object: inout [String: Any], source: String) throws(ConfigurationError) {
        let parts = keyPath.split(separator: ".").map(String.init)
        guard !parts.isEmpty else { throw .unknownKey(source: source, keyPath: keyPath, known: []) }
        // Check the path against the schema before writing, so `--set scalling.max=3` is refused.
        var schema: Any = Configuration()
        for (index, part) in parts.enumerated() {
            let children = Mirror(reflecting: schema).children
            guard let child = children.first(where: { $0.label == part }) else {
                throw .unknownKey(source: source, keyPath: parts[...index].joined(separator: "."),
                                  known: children.compactMap(\.label))
            }
            schema = child.value
        }
        setValue(value, at: parts[...], in: &object)
    }

    private static func setValue(_ value: Any, at path: ArraySlice<String>, in object: inout [String: Any]) {
        guard let head = path.first else { return }
        if path.count == 1 {
            object[head] = value
            return
        }
        var nested = object[head] as? [String: Any] ?? [:]
        setValue(value, at: path.dropFirst(), in: &nested)
        object[head] = nested
    }

    static func value(_ raw: String, kind: ValueKind) -> Any {
        switch kind {
        case .string:
            return raw
        case .integer:
            return Int(raw.trimmingCharacters(in: .whitespaces)) ?? raw
        case .json:
            if let data = raw.data(using: .utf8),
               let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) {
                return parsed
            }
            return raw
        }
    }

    static func decode(_ object: [String: Any]) throws(ConfigurationError) -> Configuration {
        do {
            let data = try JSONSerialization.data(withJSONObject: object)
            return try JSONDecoder().decode(Configuration.self, from: data)
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidValue(source: "configuration", keyPath: Self.keyPath(context.codingPath),
                                reason: context.debugDescription)
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidValue(source: "configuration", keyPath: Self.keyPath(context.codingPath),
                                reason: context.debugDescription)
        } catch {
            throw .malformed(source: "configuration", reason: "\(error)")
        }
    }

    private static func keyPath(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
