import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts a process with an empty signal mask and default signal dispositions.
///
/// Why not `Foundation.Process`: on Linux it passes on the signal mask of the calling thread, and
/// tests run on Swift's cooperative (Dispatch) threads, which block almost every signal, SIGTERM
/// included. A server started that way ignores `kill -TERM` forever (seen with moto: SigBlk
/// fffffffe3bfbea27 in /proc/PID/status). posix_spawn lets us reset the mask in the child.
enum UnmaskedSpawn {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Spawns `executable` with `arguments` (argv[0] included) and `environment`, stdout and
    /// stderr appended to `log`. Returns the child's pid.
    static func spawn(executable: String, arguments: [String], environment: [String: String], log: URL) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw Failure(description: "posix_spawn \(executable) failed: \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// Whether `pid` (our child) is still running; reaps it if it has exited.
    static func isRunning(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }
}
