import Foundation
import Glibc

/// Why the spool directory could not be prepared.
public struct SpoolDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String

    init(path: String, operation: String, errno code: Int32) {
        self.path = path
        reason = "could not \(operation) it (errno \(code): \(String(cString: strerror(code))))"
    }

    init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        "upload spool directory '\(path)': \(reason); set web.spoolDirectory to a writable directory"
    }
}

/// This web tier's own directory for upload spool files: `<root>/<instance>/`, one per running
/// web tier, never the shared temporary directory's top level.
///
/// Each instance directory holds a `.lock` file that its web tier keeps locked (`flock`) while it
/// runs. The kernel drops the lock when the process dies, however it dies (kill -9, a crash,
/// OOM), so at start every instance directory whose lock can be taken belongs to a dead web tier,
/// and its leftover spool files are removed. Several web tiers (even in one process, as the tests
/// run them) share a root safely: a live one's lock cannot be taken.
public final class SpoolDirectory: Sendable {
    public let root: String
    /// Where this web tier's spool files go.
    public let path: String
    /// Locked for the life of this object.
    private let lockDescriptor: Int32

    static let lockName = ".lock"
    /// A directory without a lock file younger than this may be a web tier still starting up.
    static let unlockedGraceSeconds = 60.0

    /// `<temporary directory>/elastic-classifier-spool`.
    public static func defaultRoot(temporaryDirectory: String = NSTemporaryDirectory()) -> String {
        temporaryDirectory.trimmingSuffix("/") + "/elastic-classifier-spool"
    }

    /// Creates the root if needed, removes what dead web tiers left in it, and claims a directory.
    public init(root: String) throws(SpoolDirectoryError) {
        self.root = root.trimmingSuffix("/")
        do {
            try FileManager.default.createDirectory(atPath: self.root, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw SpoolDirectoryError(path: self.root, reason: "could not create it (\(error.localizedDescription))")
        }
        Self.removeLeftovers(in: self.root)
        (path, lockDescriptor) = try Self.claim(in: self.root)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
        close(lockDescriptor)
    }

    /// The spool files currently in this web tier's directory.
    public var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0 != Self.lockName }
    }

    /// Removes every instance directory under `root` whose web tier is gone; returns their paths.
    @discardableResult
    static func removeLeftovers(in root: String) -> [String] {
        var removed: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            let directory = root + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let lock = open(directory + "/" + lockName, O_RDWR | O_CLOEXEC)
            if lock < 0 {
                // No lock file: a web tier between creating its directory and locking it, or one
                // that died right there. Only an old one is taken for dead.
                guard errno == ENOENT, age(of: directory) > unlockedGraceSeconds else { continue }
            } else {
                defer { close(lock) }
                guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { continue }
            }
            if (try? FileManager.default.removeItem(atPath: directory)) != nil { removed.append(directory) }
        }
        return removed
    }

    /// Makes a fresh instance directory and locks it. A sweeper in another web tier may take the
    /// lock file between its creation and our lock and remove the directory: then we try again.
    private static func claim(in root: String) throws(SpoolDirectoryError) -> (String, Int32) {
        for _ in 0..<5 {
            var template = Array("\(root)/\(getpid())-XXXXXX".utf8CString)
            guard mkdtemp(&template) != nil else { throw SpoolDirectoryError(path: root, operation: "create a directory in", errno: errno) }
            let directory = String(cString: template)
            let lockPath = directory + "/" + lockName
            let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard lock >= 0 else { throw SpoolDirectoryError(path: directory, operation: "create the lock file in", errno: errno) }
            guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
                close(lock)
                continue
            }
            var held = stat()
            var current = stat()
            if fstat(lock, &held) == 0, stat(lockPath, &current) == 0, held.st_ino == current.st_ino {
                return (directory, lock)
            }
            close(lock)
        }
        throw SpoolDirectoryError(path: root, operation: "claim a directory in", errno: EAGAIN)
    }

    private static func age(of path: String) -> Double {
        guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return 0 }
        return Date().timeIntervalSince(modified)
    }
}
