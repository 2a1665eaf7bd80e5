import Foundation
import Vision

/// The benchmark photos: every .jpg/.png in the given directories, sorted.
enum PhotoSet {
    /// testdata/photos (from setup) and shared/photos (reference photos beside the checkout, found
    /// walking up from the current directory).
    static func defaultDirectories() -> [String] {
        ["testdata/photos", "shared/photos"].compactMap { ProjectFiles.find($0) }
    }

    static func find(directories: [String]) -> [URL] {
        directories.flatMap { directory -> [URL] in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return names.sorted().filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }
                .map { URL(fileURLWithPath: directory).appendingPathComponent($0) }
        }
    }
}
