import Foundation
import Pipeline
import WebTier

/// The local fleet runs `apptier` processes; without the binary every scale-out would fail, and
/// the user would see jobs that never finish. Say so at start-up, with the command that builds it.
enum WorkerExecutableCheck {
    struct Missing: Error, CustomStringConvertible {
        var path: String
        var description: String {
            "the app-tier worker \(path) is missing, and the local fleet runs it for every instance: build it with "
                + "`swift build --product apptier` (or `swift build`, which builds every product), or set "
                + "fleet.workerExecutable (ELASTIC_WORKER_EXECUTABLE) to an apptier binary"
        }
    }

    static func check(_ configuration: Configuration) throws(Missing) {
        guard configuration.fleet.kind == .local else { return }
        let executable = LocalProcessFleet.workerExecutable(for: configuration)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else { throw Missing(path: executable.path) }
    }
}
