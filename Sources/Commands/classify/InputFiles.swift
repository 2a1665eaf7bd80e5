import Foundation

/// Turns command-line paths into the files to classify: files as given, directories walked
/// recursively (sorted, hidden entries skipped) for image-like names.
enum InputFiles {
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff"]

    static func expand(_ paths: [String]) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                files += walk(URL(fileURLWithPath: path))
            } else {
                files.append(path)  // a missing file is reported per input, not silently dropped
            }
        }
        return files
    }

    private static func walk(_ directory: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(
            at: directory, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else { return [] }
        var files: [String] = []
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                  imageExtensions.contains(url.pathExtension.lowercased()) else { continue }
            files.append(url.path)
        }
        return files.sorted()
    }
}
