import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The local fleet's memory across web-tier restarts: which worker processes it started, kept
/// in a small private file so that a restarted (or crashed and restarted) web tier adopts the
/// workers still running instead of launching duplicates, the way `EC2Fleet` finds instances
/// again by tag.
///
/// A pid alone could have been reused by an unrelated process since it was recorded, so every
/// entry also keeps the process's start time (`/proc/<pid>/stat`, field 22): a worker is adopted
/// and signalled only while both still match.
struct LocalFleetRegistry: Sendable {
    struct Entry: Codable, Equatable, Sendable {
        var pid: Int32
        var name: String
        var launchedAt: Double
        var startTime: UInt64
    }

    let file: URL

    /// The recorded workers; a missing or unreadable file is an empty fleet.
    func load() -> [Entry] {
        guard let data = try? Data(contentsOf: file) else { return [] }
        return (try? JSONDecoder().decode([Entry].self, from: data)) ?? []
    }

    /// Replaces the record (atomically, readable by this user only).
    func save(_ entries: [Entry]) {
        guard let data = try? JSONEncoder().encode(entries.sorted { $0.pid < $1.pid }) else { return }
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: file, options: .atomic)
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
    }

    /// When process `pid` started (clock ticks after boot), or nil if it does not exist or has
    /// already exited (a zombie waiting to be reaped is not a running worker).
    static func startTime(of pid: pid_t) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // After "pid (comm)": field 3 is the state, field 22 the start time.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, fields[0] != "Z", fields[0] != "X" else { return nil }
        return UInt64(fields[19])
    }

    /// Whether the process recorded as (`pid`, `startTime`) is still that process, alive.
    static func isAlive(pid: pid_t, startTime: UInt64) -> Bool {
        Self.startTime(of: pid) == startTime
    }
}
