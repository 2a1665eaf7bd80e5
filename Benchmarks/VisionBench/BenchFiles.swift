import Foundation
import Pipeline

/// The model's files as the commands find them: the configuration's defaults and environment,
/// relative paths from the current directory (scripts/bench-vision runs from the checkout).
enum BenchFiles {
    static func resolve(model: String? = nil) throws -> ModelFiles {
        let loader = ConfigurationLoader()
        var configuration = try loader.load(environment: ProcessInfo.processInfo.environment)
        if let model { configuration.model.path = model }
        return try loader.modelFiles(for: configuration)
    }
}
