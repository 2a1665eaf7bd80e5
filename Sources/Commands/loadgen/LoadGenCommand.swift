import ArgumentParser
import Foundation
import Synchronization

/// `loadgen`: the course's workload generator. Sends every image of a directory to the
/// course-compatible endpoint (`POST /` with the image in multipart field `myfile`), many at once,
/// checks each `<name>:<label>` reply, and prints the replies and the latency distribution.
@main
struct LoadGenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadgen",
        abstract: "Send images concurrently to the web tier's course endpoint and report the replies.")

    @Argument(help: "The web tier, e.g. http://127.0.0.1:5000/")
    var url: String

    @Argument(help: "A directory of .jpg/.jpeg/.png images (sent in name order, repeated if --count asks).")
    var directory: String

    @Option(help: "Requests in flight at once.")
    var concurrency = 100

    @Option(help: "Requests to send (default: one per image).")
    var count: Int?

    @Option(help: "Seconds to wait for one reply.")
    var timeout = 180

    @Flag(help: "Print only the summary.")
    var quiet = false

    func run() throws {
        guard let target = HTTPTarget(url) else { throw ValidationError("'\(url)' is not an http://host:port/ URL") }
        let images = try Self.images(in: directory)
        guard !images.isEmpty else { throw ValidationError("no .jpg, .jpeg or .png files in \(directory)") }
        let total = count ?? images.count
        let outcomes = Mutex<[Outcome]>([])
        let next = Atomic<Int>(0)
        let started = ContinuousClock.now
        let done = DispatchGroup()
        for _ in 0..<max(1, min(concurrency, total)) {
            done.enter()
            Thread {
                defer { done.leave() }
                while true {
                    let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if index >= total { return }
                    let outcome = CourseRequest.send(image: images[index % images.count], to: target,
                                                     timeoutSeconds: timeout)
                    if !quiet { print(outcome.line) }
                    outcomes.withLock { $0.append(outcome) }
                }
            }.start()
        }
        done.wait()
        let elapsed = ContinuousClock.now - started
        let summary = Summary(outcomes.withLock { $0 }, elapsed: elapsed)
        print(summary.text)
        if summary.failed > 0 { throw ExitCode(1) }
    }

    static func images(in directory: String) throws -> [URL] {
        let url = URL(fileURLWithPath: directory)
        return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            .filter { ["jpg", "jpeg", "png"].contains($0.pathExtension.lowercased()) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
