import Foundation
import Vision

/// The benchmark photos: every .jpg/.png in the given directories, sorted.
enum PhotoSet {
    /// testdata/photos (from setup) and the reference photos in ../shared beside the checkout (or
    /// beside a worktree's parent), from the current directory.
    static func defaultDirectories() -> [String] {
        ["testdata/photos", "../shared/photos", "../../shared/photos"].filter { FileManager.default.fileExists(atPath: $0) }
    }

    static func find(directories: [String]) -> [URL] {
        directories.flatMap { directory -> [URL] in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return names.sorted().filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }
                .map { URL(fileURLWithPath: directory).appendingPathComponent($0) }
        }
    }
}
