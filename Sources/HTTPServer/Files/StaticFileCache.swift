import Glibc
import Synchronization

/// Remembers recent resolutions of request paths (and the bytes of small files) for a moment, so
/// a hot file costs a dictionary lookup instead of `realpath` + `stat` + `open` + `read` per request.
///
/// Entries expire after `lifetime` (1 s by default): the path is then resolved again with every
/// check of `StaticFileResolver`, so a changed, removed or swapped file is noticed within that time.
/// Bounded: at most `maxEntries` entries and `maxCachedBytes` of file contents.
final class StaticFileCache: Sendable {
    struct Entry: Sendable {
        let resolution: StaticFileResolver.Resolution
        /// The file's bytes when small enough to keep.
        let contents: [UInt8]?
        /// Validators and type, formatted once: `ETag`, `Last-Modified`, `Content-Type`.
        let etag: String
        let lastModified: String
        let contentType: String
        let expires: ContinuousClock.Instant
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var cachedBytes = 0
    }

    let lifetime: Duration
    let maxEntries: Int
    let maxFileBytes: Int
    let maxCachedBytes: Int
    private let state = Mutex(State())

    init(lifetime: Duration = .seconds(1), maxEntries: Int = 512, maxFileBytes: Int = 64 * 1024, maxCachedBytes: Int = 8 << 20) {
        self.lifetime = lifetime
        self.maxEntries = maxEntries
        self.maxFileBytes = maxFileBytes
        self.maxCachedBytes = maxCachedBytes
    }

    /// The resolution of `path` (and small files' bytes), from the cache or from `resolver`.
    func lookup(_ path: Substring, resolver: StaticFileResolver) -> Entry {
        let key = String(path)
        let now = ContinuousClock.now
        if let entry = state.withLock({ $0.entries[key] }), entry.expires > now {
            return entry
        }
        let resolution = resolver.resolve(path)
        var contents: [UInt8]? = nil
        var etag = "", lastModified = "", contentType = ""
        if case let .file(filePath, size, modified) = resolution {
            if size <= maxFileBytes { contents = StaticFileCache.read(filePath, size: size) }
            etag = "\"\(String(size, radix: 16))-\(String(modified, radix: 16))\""
            lastModified = HTTPDate.format(secondsSinceEpoch: modified)
            contentType = MIMETypes.type(forPath: filePath)
        }
        let entry = Entry(resolution: resolution, contents: contents, etag: etag, lastModified: lastModified,
                          contentType: contentType, expires: now + lifetime)
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.cachedBytes -= old.contents?.count ?? 0 }
            if state.entries.count >= maxEntries || state.cachedBytes + (contents?.count ?? 0) > maxCachedBytes {
                state.entries.removeAll(keepingCapacity: true)
                state.cachedBytes = 0
            }
            state.entries[key] = entry
            state.cachedBytes += contents?.count ?? 0
        }
        return entry
    }

    /// The whole file, or nil if it changed size while read (then it is streamed, uncached).
    static func read(_ path: String, size: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + offset, size - offset, off_t(offset)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            offset += count
        }
        return bytes
    }
}
