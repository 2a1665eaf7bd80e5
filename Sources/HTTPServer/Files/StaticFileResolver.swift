import Glibc

/// Maps a request path to a file under a root directory, refusing every way out of the root.
///
/// Pure apart from `realpath`/`stat`, so it is tested as a table. The checks, in order:
/// malformed escapes, encoded `/` or `\`, NUL and control bytes → 400; `..` segments (raw or
/// encoded) → 404; then the real path (symlinks resolved) must still be inside the root's real
/// path → 404; directories resolve to `index.html`.
public struct StaticFileResolver: Sendable {
    public enum Resolution: Sendable, Equatable {
        case file(path: String, size: Int, modified: Int)
        case notFound
        case badRequest(String)
    }

    /// The root, with symlinks resolved once at start.
    public let root: String
    public var indexFile: String = "index.html"

    /// Fails when the root does not exist or is not a directory.
    public init?(root: String) {
        guard let real = realpath(root, nil) else { return nil }
        defer { free(real) }
        let resolved = String(cString: real)
        var info = stat()
        guard stat(resolved, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return nil }
        self.root = resolved
    }

    /// `path` is the request path, percent-encoded, without the query.
    public func resolve(_ path: some StringProtocol) -> Resolution {
        var segments: [String] = []
        for rawSegment in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let bytes = PercentEncoding.decode(rawSegment) else { return .badRequest("malformed percent escape") }
            if bytes.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") }) {
                return .badRequest("encoded slash in path")
            }
            if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return .badRequest("control byte in path") }
            guard let segment = String(validating: bytes, as: UTF8.self) else { return .badRequest("path is not UTF-8") }
            if segment == ".." { return .notFound }
            if segment == "." { continue }
            segments.append(segment)
        }
        var candidate = ([root] + segments).joined(separator: "/")
        guard var info = realStat(&candidate) else { return .notFound }
        if info.st_mode & S_IFMT == S_IFDIR {
            candidate += "/" + indexFile
            guard let indexInfo = realStat(&candidate) else { return .notFound }
            info = indexInfo
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return .notFound }
        return .file(path: candidate, size: Int(info.st_size), modified: Int(info.st_mtim.tv_sec))
    }

    /// Resolves symlinks in `path` and stats it; nil when missing or outside the root.
    private func realStat(_ path: inout String) -> stat? {
        guard let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        let resolved = String(cString: real)
        guard resolved == root || resolved.hasPrefix(root == "/" ? "/" : root + "/") else { return nil }
        var info = stat()
        guard stat(resolved, &info) == 0 else { return nil }
        path = resolved
        return info
    }
}
