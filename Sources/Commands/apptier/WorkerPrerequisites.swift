import CommandSupport
import Foundation
import Pipeline

/// What a worker needs before it can do anything useful: the model's files, and (in local mode) a
/// local AWS that answers. Checked up front so that `swift run apptier` in an unprepared checkout
/// says what is missing and which command provides it, instead of failing deep inside.
enum WorkerPrerequisites {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// The model's files as the configuration names them (relative to the current directory).
    static func check(_ configuration: Configuration) throws(Missing) -> ModelFiles {
        let files: ModelFiles
        do {
            files = try ConfigurationLoader().modelFiles(for: configuration)
        } catch {
            throw Missing(description: error.description)
        }
        if let text = configuration.aws.endpointURL, let url = URL(string: text),
           let (host, port) = LoopbackProbe.loopbackAddress(of: url), !LoopbackProbe.accepts(host: host, port: port) {
            throw Missing(description: "nothing answers at \(text) (aws.endpointURL), the local AWS this worker "
                + "polls: start the local system with `swift run webtier` or ./scripts/run (both start moto there), "
                + "or pass --endpoint with the URL of a running moto")
        }
        return files
    }
}
